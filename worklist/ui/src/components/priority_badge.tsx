// STAT must be seen from across a dark room: the badge carries colour and the word.
export function PriorityBadge({ priority, escalated }: { priority: string; escalated?: boolean }) {
  const p = (priority || '?').toUpperCase();
  return (
    <span class="badges">
      <span class={`priority priority-${p.toLowerCase()}`}>{p}</span>
      {escalated ? <span class="escalated">ESCALATED</span> : null}
    </span>
  );
}
