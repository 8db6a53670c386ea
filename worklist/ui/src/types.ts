// The shapes the page reads from the engine's API (docs/api.md is the reference).
// Optional fields are ones an engine may leave out (an order not yet matched, a task not
// yet claimed); the page shows a dash for them rather than failing.

export type Priority = 'STAT' | 'URGENT' | 'ROUTINE' | string;

export interface Task {
  id: string;
  state: string; // queued, assigned, claimed, in_progress, preliminary, final, delivered, ...
  priority: Priority;
  site: string;
  modality?: string;
  study_description?: string;
  body_part?: string;
  patient_name?: string;
  patient_sex?: string;
  patient_age?: string;
  accession?: string;
  study_uid?: string;
  reader?: string | null; // assigned reader id
  claimed_by?: string | null;
  escalated?: boolean;
  created_at_ms?: number;
  due_at_ms?: number | null;
  viewer_url?: string | null;
}

export interface Reader {
  id: string;
  name?: string;
  on_shift?: boolean;
  online?: boolean;
  load?: number; // open tasks assigned or claimed
  shift?: string; // e.g. "22:00-07:00"
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
