// The commands a reader or dispatcher gives on a task (docs/api.md, /api/v1/tasks/{id}/...).
import { api, loadSession } from './api';

export type TaskAction = 'claim' | 'release' | 'start' | 'report';

const kActionLabel: Record<TaskAction, string> = {
  claim: 'claimed',
  release: 'released',
  start: 'started',
  report: 'marked reported',
};

export function actionDone(action: TaskAction): string {
  return kActionLabel[action];
}

// `reader` is the caller's own reader id: the engine takes a reader as themselves anyway,
// and needs the name when it runs without authentication.
export function taskAction(id: string, action: TaskAction, body: Record<string, unknown> = {}): Promise<unknown> {
  const reader = loadSession()?.reader_id;
  if (reader && body.reader === undefined) body = { ...body, reader };
  return api('POST', `/api/v1/tasks/${encodeURIComponent(id)}/${action}`, body);
}

// For when the reporting system sends no ORU: the engine queues the report to the site.
export function reportTask(id: string, status: 'preliminary' | 'final', text: string): Promise<unknown> {
  return taskAction(id, 'report', { status, text });
}

// Dispatchers: (re)assign to a reader, dropping any claim (docs/api.md "assign").
export function reassignTask(id: string, reader: string, reason: string): Promise<unknown> {
  return api('POST', `/api/v1/tasks/${encodeURIComponent(id)}/assign`, { reader, reason });
}
