// Pure helpers: ordering, durations, urgency classes, viewer links. No DOM, no fetch.
import type { Task } from './types';

const kPriorityRank: Record<string, number> = { STAT: 0, URGENT: 1, ROUTINE: 2 };

export function priorityRank(priority: string): number {
  return kPriorityRank[priority?.toUpperCase()] ?? 3;
}

const kOpenStates = new Set(['queued', 'assigned', 'claimed', 'in_progress', 'escalated', 'reassigned']);

export function isOpen(task: Task): boolean {
  return kOpenStates.has(task.state);
}

// Most urgent first: priority, then the earliest due time, then the oldest.
export function byUrgency(a: Task, b: Task): number {
  return (
    priorityRank(a.priority) - priorityRank(b.priority) ||
    (a.due_at_ms ?? Infinity) - (b.due_at_ms ?? Infinity) ||
    (a.created_at_ms ?? 0) - (b.created_at_ms ?? 0)
  );
}

// The dispatcher's order: escalated, then unassigned, then by urgency.
export function byDispatchOrder(a: Task, b: Task): number {
  const flag = (t: Task) => (t.escalated || t.state === 'escalated' ? 0 : !t.reader && !t.claimed_by ? 1 : 2);
  return flag(a) - flag(b) || byUrgency(a, b);
}

// "1:05:09", "4:09", "-2:30" (overdue); "—" when unknown.
export function formatCountdown(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '-' : '';
  let seconds = Math.floor(Math.abs(ms) / 1000);
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${sign}${hours}:${two(minutes)}:${two(seconds)}` : `${sign}${minutes}:${two(seconds)}`;
}

// "12 min", "1.5 h", "3 s"; for TAT figures.
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

// How close a task is to breaching its SLA, for colour: breached, warning (under a fifth of
// the SLA left, or under 5 minutes), ok.
export function slaClass(task: Task, now: number): 'sla-breached' | 'sla-warning' | 'sla-ok' | 'sla-none' {
  if (task.due_at_ms === null || task.due_at_ms === undefined) return 'sla-none';
  const left = task.due_at_ms - now;
  if (left <= 0) return 'sla-breached';
  const total = task.created_at_ms == null ? 0 : task.due_at_ms - task.created_at_ms;
  if (left < 5 * 60_000 || (total > 0 && left < total / 5)) return 'sla-warning';
  return 'sla-ok';
}

// Fills a site's viewer URL template: {study_uid}, {accession}, {site}, {task_id}; each
// value URL-encoded. Unknown placeholders are left as they are so a wrong template is visible.
export function viewerLink(template: string, task: Task): string {
  const values: Record<string, string | undefined> = {
    study_uid: task.study_uid,
    accession: task.accession,
    site: task.site,
    task_id: task.id,
  };
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    values[name] !== undefined ? encodeURIComponent(values[name] as string) : whole,
  );
}

export function patientSummary(task: Task): string {
  const details = [task.patient_age, task.patient_sex].filter(Boolean).join(' ');
  return [task.patient_name, details].filter(Boolean).join(', ') || '—';
}

export function studySummary(task: Task): string {
  return [task.modality, task.body_part, task.study_description].filter(Boolean).join(' · ') || '—';
}
