// The dispatcher's board: every open task (escalated and unassigned first) and the readers
// with their shift, presence and load. Reassign by picking a reader in the task's row, or by
// dragging the row onto a reader.
import { useMemo, useState } from 'preact/hooks';
import { Countdown } from '../components/countdown';
import { PriorityBadge } from '../components/priority_badge';
import type { Floor } from '../floor';
import { byDispatchOrder, isEscalated, isOpen, isUnassigned, studySummary } from '../format';
import { reassignTask } from '../task_actions';
import type { Reader, Task } from '../types';

const kDragType = 'application/x-sundial-task';

function shiftLabel(reader: Reader): string {
  if (reader.on_shift === null || reader.on_shift === undefined) return 'not on the roster';
  return reader.on_shift ? 'on shift' : 'off shift';
}

// The roster's readers (with their figures), plus any reader holding a task: without a
// configured roster the board lists no one, and a dispatcher must still be able to move work
// between the readers on the floor.
export function floorReaders(board: Reader[], tasks: Task[]): Reader[] {
  const readers = new Map(board.map((r) => [r.reader, r]));
  for (const task of tasks) {
    for (const id of [task.assigned_reader, task.claimed_by]) {
      if (id && !readers.has(id)) readers.set(id, { reader: id });
    }
  }
  return [...readers.values()].sort((a, b) => a.reader.localeCompare(b.reader));
}

export function BoardScreen({ floor, now }: { floor: Floor; now: number }) {
  const tasks = useMemo(() => floor.tasks.filter(isOpen).sort(byDispatchOrder), [floor.tasks]);
  const readers = useMemo(() => floorReaders(floor.readers, floor.tasks), [floor.readers, floor.tasks]);
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const [dropTarget, setDropTarget] = useState<string | null>(null);

  const reassign = async (task: Task, readerId: string) => {
    if (!readerId || readerId === (task.assigned_reader ?? task.claimed_by)) return;
    try {
      await reassignTask(task.id, readerId, 'dispatcher');
      setStatus({ text: `${task.priority} task reassigned to ${readerId}`, error: false });
      floor.reload();
    } catch (e) {
      setStatus({ text: `Could not reassign: ${(e as Error).message}`, error: true });
    }
  };

  const onDrop = (event: DragEvent, reader: Reader) => {
    event.preventDefault();
    setDropTarget(null);
    const id = event.dataTransfer?.getData(kDragType);
    const task = tasks.find((t) => t.id === id);
    if (task) void reassign(task, reader.reader);
  };

  return (
    <section class="board" aria-label="Dispatcher board">
      <div class="board-tasks">
        <div class="status-line" role="status" aria-live="polite">
          {status ? (
            <span class={status.error ? 'error' : 'ok'}>{status.text}</span>
          ) : (
            <span class="muted">
              {tasks.filter(isUnassigned).length} unassigned ·{' '}
              {tasks.filter(isEscalated).length} escalated · {tasks.length} open
            </span>
          )}
        </div>
        <table class="tasks">
          <thead>
            <tr>
              <th>Priority</th>
              <th>SLA</th>
              <th>Study</th>
              <th>Site</th>
              <th>State</th>
              <th>Reader</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((task) => (
              <tr
                key={task.id}
                data-task-id={task.id}
                class={`task-row ${isUnassigned(task) ? 'unassigned' : ''}`}
                draggable
                onDragStart={(e) => e.dataTransfer?.setData(kDragType, task.id)}
              >
                <td><PriorityBadge priority={task.priority} escalated={isEscalated(task)} /></td>
                <td><Countdown task={task} now={now} /></td>
                <td>{studySummary(task)}</td>
                <td>{task.site}</td>
                <td class="state">{task.state.replace('_', ' ')}</td>
                <td>
                  <select
                    aria-label="Reassign to"
                    value={task.assigned_reader ?? task.claimed_by ?? ''}
                    onChange={(e) => reassign(task, (e.target as HTMLSelectElement).value)}
                  >
                    <option value="">— unassigned —</option>
                    {readers.map((r) => (
                      <option key={r.reader} value={r.reader}>
                        {r.reader}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <aside class="board-readers" aria-label="Readers">
        <h2>Readers</h2>
        {readers.length === 0 ? <p class="muted">No readers on the roster.</p> : null}
        {readers.map((reader) => (
          <div
            key={reader.reader}
            data-reader-id={reader.reader}
            class={`reader-card ${reader.online ? 'online' : 'offline'} ${reader.on_shift === false ? 'off-shift' : ''} ${
              dropTarget === reader.reader ? 'drop' : ''
            }`}
            onDragOver={(e) => {
              e.preventDefault();
              setDropTarget(reader.reader);
            }}
            onDragLeave={() => setDropTarget(null)}
            onDrop={(e) => onDrop(e, reader)}
          >
            <div class="reader-name">{reader.reader}</div>
            <div class="reader-meta">
              <span class="presence">{reader.online ? 'online' : 'offline'}</span>
              <span class="shift" title={reader.time_zone ? `shifts in ${reader.time_zone}` : undefined}>
                {shiftLabel(reader)}
              </span>
            </div>
            <div class="reader-meta">
              <span class="load" title="tasks in their hands">{reader.open_tasks ?? 0} open</span>
              <span title="claimed or in progress">{reader.claimed_tasks ?? 0} claimed</span>
              <span title="relative value units of the open tasks">{(reader.open_rvu ?? 0).toFixed(1)} RVU</span>
            </div>
          </div>
        ))}
      </aside>
    </section>
  );
}
