// The reader's worklist: open tasks, most urgent first, with the SLA countdown and the
// commands a reader gives (claim, release, start, done, open in viewer), by button or key.
import { useMemo, useState } from 'preact/hooks';
import { Countdown } from '../components/countdown';
import { PriorityBadge } from '../components/priority_badge';
import type { Floor } from '../floor';
import { byUrgency, isEscalated, isOpen, patientSummary, readerOf, studySummary } from '../format';
import { useKeys } from '../keyboard';
import { ReportDialog } from '../components/report_dialog';
import { actionDone, reportTask, taskAction, type TaskAction } from '../task_actions';
import type { Session, Task } from '../types';

interface Props {
  floor: Floor;
  session: Session;
  now: number;
  keysActive: boolean;
}

export function WorklistScreen({ floor, session, now, keysActive }: Props) {
  const me = session.reader_id ?? session.user;
  const tasks = useMemo(() => floor.tasks.filter(isOpen).sort(byUrgency), [floor.tasks]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const [reporting, setReporting] = useState<Task | null>(null);
  const index = Math.max(0, tasks.findIndex((t) => t.id === selectedId));
  const selected: Task | undefined = tasks[index];

  const mine = (t: Task) => t.claimed_by === me;
  const can = (t: Task, action: TaskAction) => {
    if (action === 'claim') return !t.claimed_by;
    if (action === 'release') return mine(t);
    if (action === 'start') return mine(t) && t.state === 'claimed';
    return mine(t) && (t.state === 'in_progress' || t.state === 'claimed');
  };

  const run = async (task: Task | undefined, action: TaskAction) => {
    if (!task) return;
    if (action === 'report') return setReporting(task);
    try {
      await taskAction(task.id, action);
      setStatus({ text: `${task.priority} ${task.modality ?? ''} task ${actionDone(action)}`, error: false });
      floor.reload();
    } catch (e) {
      setStatus({ text: `Could not ${action}: ${(e as Error).message}`, error: true });
    }
  };
  const sendReport = async (reportStatus: 'preliminary' | 'final', text: string) => {
    const task = reporting;
    if (!task) return;
    try {
      await reportTask(task.id, reportStatus, text);
      setStatus({ text: `${task.priority} ${task.modality ?? ''} task reported (${reportStatus})`, error: false });
      setReporting(null);
      floor.reload();
    } catch (e) {
      setStatus({ text: `Could not report: ${(e as Error).message}`, error: true });
    }
  };
  const open = (task: Task | undefined) => {
    const url = task?.viewer_url;
    if (url) window.open(url, '_blank', 'noopener');
    else setStatus({ text: 'No viewer link for this site', error: true });
  };
  const move = (delta: number) => {
    if (tasks.length === 0) return;
    const next = Math.min(tasks.length - 1, Math.max(0, index + delta));
    setSelectedId(tasks[next].id);
    document.getElementById(`task-${tasks[next].id}`)?.scrollIntoView({ block: 'nearest' });
  };

  useKeys(
    {
      j: () => move(1),
      ArrowDown: () => move(1),
      k: () => move(-1),
      ArrowUp: () => move(-1),
      c: () => run(selected, 'claim'),
      r: () => run(selected, 'release'),
      s: () => run(selected, 'start'),
      d: () => run(selected, 'report'),
      o: () => open(selected),
    },
    keysActive && reporting === null,
  );

  return (
    <section class="worklist" aria-label="Worklist">
      <div class="status-line" role="status" aria-live="polite">
        {status ? <span class={status.error ? 'error' : 'ok'}>{status.text}</span> : <span class="muted">{tasks.length} open tasks</span>}
      </div>
      {tasks.length === 0 ? (
        <p class="empty">No open tasks. New ones appear here as they arrive.</p>
      ) : (
        <table class="tasks">
          <thead>
            <tr>
              <th>Priority</th>
              <th>SLA</th>
              <th>Patient</th>
              <th>Study</th>
              <th>Site</th>
              <th>State</th>
              <th>Reader</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((task) => (
              <tr
                key={task.id}
                id={`task-${task.id}`}
                data-task-id={task.id}
                class={`task-row ${task === selected ? 'selected' : ''} ${mine(task) ? 'mine' : ''} ${
                  floor.lastChangedTaskId === task.id ? 'fresh' : ''
                }`}
                onClick={() => setSelectedId(task.id)}
              >
                <td><PriorityBadge priority={task.priority} escalated={isEscalated(task)} /></td>
                <td><Countdown task={task} now={now} /></td>
                <td class="patient">{patientSummary(task)}</td>
                <td>{studySummary(task)}</td>
                <td>{task.site}</td>
                <td class="state">{task.state.replace('_', ' ')}</td>
                <td>{readerOf(task) ?? '—'}</td>
                <td class="actions">
                  <button disabled={!can(task, 'claim')} onClick={() => run(task, 'claim')}>Claim</button>
                  <button disabled={!can(task, 'release')} onClick={() => run(task, 'release')}>Release</button>
                  <button disabled={!can(task, 'start')} onClick={() => run(task, 'start')}>Start</button>
                  <button disabled={!can(task, 'report')} onClick={() => run(task, 'report')}>Done</button>
                  <button disabled={!task.viewer_url} title={task.viewer_url ? 'open in the viewer (o)' : 'no viewer for this site'} onClick={() => open(task)}>Open</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {reporting ? <ReportDialog task={reporting} onSend={sendReport} onClose={() => setReporting(null)} /> : null}
    </section>
  );
}
