// Pure helpers: ordering, durations, urgency classes, summaries. No DOM, no fetch.
import type { Task } from './types';

const kPriorityRank: Record<string, number> = { STAT: 0, URGENT: 1, ROUTINE: 2 };

export function priorityRank(priority: string): number {
  return kPriorityRank[priority?.toUpperCase()] ?? 3;
}

// Still needing a reader's hands (docs/api.md: preliminary waits for the final report).
const kOpenStates = new Set(['queued', 'assigned', 'claimed', 'in_progress', 'preliminary', 'escalated']);

export function isOpen(task: Task): boolean {
  return kOpenStates.has(task.state);
}

export function isEscalated(task: Task): boolean {
  return task.state === 'escalated' || task.sla?.breached === true;
}

export function isUnassigned(task: Task): boolean {
  return !task.assigned_reader && !task.claimed_by;
}

// Most urgent first: priority, then the earliest due time, then the oldest.
export function byUrgency(a: Task, b: Task): number {
  return (
    priorityRank(a.priority) - priorityRank(b.priority) ||
    (a.due_ms ?? Infinity) - (b.due_ms ?? Infinity) ||
    (a.times?.created_ms ?? 0) - (b.times?.created_ms ?? 0)
  );
}

// The dispatcher's order: escalated, then unassigned, then by urgency.
export function byDispatchOrder(a: Task, b: Task): number {
  const flag = (t: Task) => (isEscalated(t) ? 0 : isUnassigned(t) ? 1 : 2);
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

// How close a task is to breaching its SLA, for colour: breached, warning (past the
// engine's warning time, else under a fifth of the SLA or 5 minutes left), ok.
export function slaClass(task: Task, now: number): 'sla-breached' | 'sla-warning' | 'sla-ok' | 'sla-none' {
  if (task.due_ms === null || task.due_ms === undefined) return 'sla-none';
  const left = task.due_ms - now;
  if (left <= 0 || task.sla?.breached) return 'sla-breached';
  if (task.sla?.warn_at_ms !== undefined && now >= task.sla.warn_at_ms) return 'sla-warning';
  const created = task.times?.created_ms;
  const total = created == null ? 0 : task.due_ms - created;
  if (left < 5 * 60_000 || (total > 0 && left < total / 5)) return 'sla-warning';
  return 'sla-ok';
}

// "DOE^JANE, 67Y F" -> "DOE, JANE · 67Y F"; a dash when the caller may not see the patient.
export function patientSummary(task: Task): string {
  const p = task.patient;
  if (!p) return '—';
  const name = p.name ? p.name.split('^').filter(Boolean).join(', ') : '';
  const details = [p.age, p.sex].filter(Boolean).join(' ');
  return [name, details].filter(Boolean).join(' · ') || '—';
}

export function studySummary(task: Task): string {
  return [task.modality, task.order?.procedure_text ?? task.order?.procedure_code].filter(Boolean).join(' · ') || '—';
}

export function readerOf(task: Task): string | null {
  return task.claimed_by ?? task.assigned_reader ?? null;
}
