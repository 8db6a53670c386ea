// A reader's page tells the engine the reader is at the screen: a heartbeat every 30 s marks
// them online (the dispatcher sends them work) and renews the lease of every task they hold,
// so a claim lapses only when the reader has really gone. Logging out signs them off.
import { useEffect } from 'preact/hooks';
import { api } from './api';
import type { Session } from './types';

const kHeartbeatMs = 30_000;

const readerPath = (session: Session, what: string) =>
  `/api/v1/readers/${encodeURIComponent(session.reader_id as string)}/${what}`;

export function useHeartbeat(session: Session | null): void {
  useEffect(() => {
    if (!session?.reader_id) return;
    const beat = () => void api('POST', readerPath(session, 'heartbeat')).catch(() => undefined);
    beat();
    const timer = window.setInterval(beat, kHeartbeatMs);
    return () => window.clearInterval(timer);
  }, [session?.token, session?.reader_id]);
}

export async function signOff(session: Session): Promise<void> {
  if (!session.reader_id) return;
  await api('POST', readerPath(session, 'offline')).catch(() => undefined);
}
