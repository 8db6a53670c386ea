// "Done" without a reporting system: the reader types (or pastes) the report and sends it
// as preliminary or final; the engine queues it to the site. Esc or Cancel closes it.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Task } from '../types';
import { studySummary } from '../format';

interface Props {
  task: Task;
  onSend: (status: 'preliminary' | 'final', text: string) => Promise<void>;
  onClose: () => void;
}

export function ReportDialog({ task, onSend, onClose }: Props) {
  const [text, setText] = useState('');
  const [status, setStatus] = useState<'preliminary' | 'final'>('final');
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => area.current?.focus(), []);

  const send = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await onSend(status, text);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="overlay" role="dialog" aria-label="Report" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <form class="overlay-box report-form" onSubmit={send}>
        <h2>Report — {task.priority} {studySummary(task)}</h2>
        <textarea ref={area} name="report" rows={10} value={text}
                  onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        <div class="report-buttons">
          <select aria-label="Report status" value={status}
                  onChange={(e) => setStatus((e.target as HTMLSelectElement).value as 'preliminary' | 'final')}>
            <option value="final">final</option>
            <option value="preliminary">preliminary</option>
          </select>
          <button type="submit" disabled={busy || text.trim() === ''}>Send report</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </div>
  );
}
