// The time left before a task breaches its SLA, coloured by urgency; ticks with `now`.
import { formatCountdown, slaClass } from '../format';
import type { Task } from '../types';

export function Countdown({ task, now }: { task: Task; now: number }) {
  const left = task.due_ms === null || task.due_ms === undefined ? null : task.due_ms - now;
  const cls = slaClass(task, now);
  const label = cls === 'sla-breached' ? 'SLA breached' : cls === 'sla-warning' ? 'SLA close' : 'time left';
  return (
    <span class={`countdown ${cls}`} title={label} aria-label={`${label} ${formatCountdown(left)}`}>
      {formatCountdown(left)}
    </span>
  );
}
