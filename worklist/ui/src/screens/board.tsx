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

function readerLabel(reader: Reader): string {
  return reader.name ? `${reader.name} (${reader.id})` : reader.id;
}

export function BoardScreen({ floor, now }: { floor: Floor; now: number }) {
  const tasks = useMemo(() => floor.tasks.filter(isOpen).sort(byDispatchOrder), [floor.tasks]);
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const [dropTarget, setDropTarget] = useState<string | null>(null);

  const reassign = async (task: Task, readerId: string) => {
    if (!readerId || readerId === task.assigned_reader) return;
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
    if (task) void reassign(task, reader.id);
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
                    value={task.assigned_reader ?? ''}
                    onChange={(e) => reassign(task, (e.target as HTMLSelectElement).value)}
                  >
                    <option value="">— unassigned —</option>
                    {floor.readers.map((r) => (
                      <option key={r.id} value={r.id}>
                        {readerLabel(r)}
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
        {floor.readers.length === 0 ? <p class="muted">No readers on the roster.</p> : null}
        {floor.readers.map((reader) => (
          <div
            key={reader.id}
            data-reader-id={reader.id}
            class={`reader-card ${reader.online ? 'online' : 'offline'} ${reader.on_shift ? 'on-shift' : 'off-shift'} ${
              dropTarget === reader.id ? 'drop' : ''
            }`}
            onDragOver={(e) => {
              e.preventDefault();
              setDropTarget(reader.id);
            }}
            onDragLeave={() => setDropTarget(null)}
            onDrop={(e) => onDrop(e, reader)}
          >
            <div class="reader-name">{readerLabel(reader)}</div>
            <div class="reader-meta">
              <span class="presence">{reader.online ? 'online' : 'offline'}</span>
              <span>{reader.on_shift ? `on shift${reader.shift ? ` ${reader.shift}` : ''}` : 'off shift'}</span>
              <span class="load" title="open tasks">load {reader.load ?? 0}</span>
            </div>
          </div>
        ))}
      </aside>
    </section>
  );
}
