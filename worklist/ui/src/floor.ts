// The live picture of the floor the screens share: open tasks, readers and sites' viewer
// templates, loaded from the API and kept current by the event stream. An event that
// carries a task updates it in place (a new STAT task shows at once); anything else makes
// the page reload the lists (debounced), so an event shape the page does not know still
// shows up within a moment rather than being lost.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { subscribeLive, type ConnectionState, type LiveEvent } from './live_events';
import { mayDispatch } from './roles';
import type { Reader, Session, Task } from './types';

export interface Floor {
  tasks: Task[];
  readers: Reader[];
  // The engine's clock minus this browser's: countdowns use the engine's time.
  clockOffsetMs: number;
  connection: ConnectionState;
  error: string | null;
  lastChangedTaskId: string | null;
  reload: () => void;
}

const kReloadDebounceMs = 150;

function taskFromEvent(event: LiveEvent): Task | null {
  const data = event.data;
  if (!data || typeof data !== 'object') return null;
  const candidate = data.task ?? data;
  return candidate && typeof candidate.id === 'string' && typeof candidate.state === 'string' ? candidate : null;
}

async function loadTasks(): Promise<{ tasks: Task[]; offset: number | null }> {
  const asked = Date.now();
  const answer = await api<{ tasks: Task[]; now_ms?: number }>('GET', '/api/v1/tasks');
  const answered = Date.now();
  const offset = typeof answer.now_ms === 'number' ? answer.now_ms - (asked + answered) / 2 : null;
  return { tasks: answer.tasks ?? [], offset };
}

async function loadReaders(): Promise<Reader[]> {
  const answer = await api<{ readers: Reader[] }>('GET', '/api/v1/readers');
  return answer.readers ?? [];
}

// Loads nothing until logged in; the readers only for those who may dispatch.
export function useFloor(session: Session | null): Floor {
  const enabled = session !== null;
  const withReaders = session !== null && mayDispatch(session);
  const [tasks, setTasks] = useState<Task[]>([]);
  const [readers, setReaders] = useState<Reader[]>([]);
  const [clockOffsetMs, setClockOffset] = useState(0);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [error, setError] = useState<string | null>(null);
  const [lastChangedTaskId, setLastChanged] = useState<string | null>(null);
  const timer = useRef<number | null>(null);

  const reloadNow = async () => {
    try {
      const [t, r] = await Promise.all([loadTasks(), withReaders ? loadReaders().catch(() => null) : null]);
      setTasks(t.tasks);
      if (t.offset !== null) setClockOffset(t.offset);
      if (r) setReaders(r);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const reload = () => {
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      timer.current = null;
      void reloadNow();
    }, kReloadDebounceMs);
  };

  useEffect(() => {
    if (!enabled) return;
    void reloadNow();
    const stop = subscribeLive({
      onState: setConnection,
      onOpen: reload,
      onEvent: (event) => {
        const task = taskFromEvent(event);
        if (!task) {
          if (event.type !== 'ping' && event.type !== 'hello') reload();
          return;
        }
        setLastChanged(task.id);
        setTasks((current) => {
          const others = current.filter((t) => t.id !== task.id);
          return [...others, task];
        });
        // Reader load moves with tasks: refresh the lists behind the in-place change.
        reload();
      },
    });
    return () => {
      stop();
      if (timer.current !== null) window.clearTimeout(timer.current);
    };
  }, [enabled, withReaders]);

  return { tasks, readers, clockOffsetMs, connection, error, lastChangedTaskId, reload };
}
