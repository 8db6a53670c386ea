// The shapes the page reads from the engine's API (docs/api.md is the reference).
// Optional fields are ones an engine may leave out (an order not yet matched, a task not
// yet claimed); the page shows a dash for them rather than failing.

export type Priority = 'STAT' | 'URGENT' | 'ROUTINE' | string;

export interface Task {
  id: string;
  state: string; // queued, assigned, claimed, in_progress, preliminary, final, delivered, escalated, cancelled
  priority: Priority;
  site: string;
  modality?: string;
  study_uids?: string[];
  due_ms?: number | null;
  assigned_reader?: string | null;
  pool?: string | null;
  claimed_by?: string | null;
  lease_expires_ms?: number | null;
  order?: {
    accession_number?: string;
    procedure_code?: string;
    procedure_text?: string;
    reason_for_exam?: string;
  } | null;
  patient?: { name?: string; patient_id?: string; age?: string; sex?: string } | null; // left out for some roles
  times?: Record<string, number | null>; // ordered_ms, study_complete_ms, created_ms, claimed_ms, ...
  sla?: { warn_at_ms?: number; warned?: boolean; breached?: boolean; remaining_ms?: number } | null;
  viewer_url?: string | null; // the site's template, filled in by the engine
  version?: number;
}

// A line of the reader board (GET /api/v1/readers).
export interface Reader {
  reader: string; // the reader's id in the configuration's roster
  online?: boolean; // a heartbeat lately and not signed off
  last_heartbeat_ms?: number | null;
  open_tasks?: number; // assigned, claimed, in progress or preliminary
  claimed_tasks?: number;
  open_rvu?: number;
  on_shift?: boolean | null; // the roster's shifts (reader's time zone) now; null: not on the roster
  time_zone?: string | null; // the zone the reader's shifts are written in
}

export interface Session {
  token: string;
  user: string;
  roles: string[];
  reader_id?: string;
}

export interface TatRow {
  key: string; // the group's value: a site, modality, priority or reader
  count: number;
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  sla_met: number | null; // fraction of tasks within their SLA, 0..1
}
