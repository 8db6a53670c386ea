// Turnaround figures from finished tasks, for when the engine has no /api/v1/tat to ask:
// the contractual TAT runs from "study complete" (or the order, if later) to the final
// report delivered to the site (final, when delivery is not recorded), and a task met its
// SLA when that end came no later than its due time. Pure: tasks in, rows out.
import type { Task, TatRow } from './types';

export type TatGroup = 'site' | 'modality' | 'priority' | 'reader';

export function turnaround(task: Task): { start: number; end: number } | null {
  const t = task.times ?? {};
  const starts = [t.study_complete_ms, t.ordered_ms].filter((v): v is number => typeof v === 'number');
  const start = starts.length > 0 ? Math.max(...starts) : t.created_ms;
  const end = t.delivered_ms ?? t.final_ms;
  if (typeof start !== 'number' || typeof end !== 'number' || end < start) return null;
  return { start, end };
}

// Nearest-rank percentile of sorted values.
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function keyOf(task: Task, group: TatGroup): string {
  if (group === 'reader') return task.claimed_by ?? task.assigned_reader ?? '—';
  if (group === 'modality') return task.modality ?? '—';
  return (task[group] as string | undefined) ?? '—';
}

export function tatRows(tasks: Task[], group: TatGroup, fromMs: number, toMs: number): TatRow[] {
  const groups = new Map<string, { tats: number[]; met: number; withSla: number }>();
  for (const task of tasks) {
    const span = turnaround(task);
    if (!span || span.end < fromMs || span.end >= toMs) continue;
    const key = keyOf(task, group);
    const g = groups.get(key) ?? { tats: [], met: 0, withSla: 0 };
    g.tats.push(span.end - span.start);
    if (typeof task.due_ms === 'number') {
      g.withSla += 1;
      if (span.end <= task.due_ms) g.met += 1;
    }
    groups.set(key, g);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, g]) => {
      const sorted = [...g.tats].sort((a, b) => a - b);
      return {
        key,
        count: sorted.length,
        p50_ms: percentile(sorted, 50),
        p90_ms: percentile(sorted, 90),
        p99_ms: percentile(sorted, 99),
        sla_met: g.withSla > 0 ? g.met / g.withSla : null,
      };
    });
}
