// The commands a reader or dispatcher gives on a task (docs/api.md, /api/v1/tasks/{id}/...).
import { api } from './api';

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

export function taskAction(id: string, action: TaskAction, body: unknown = {}): Promise<unknown> {
  return api('POST', `/api/v1/tasks/${encodeURIComponent(id)}/${action}`, body);
}

export function reassignTask(id: string, reader: string, reason: string): Promise<unknown> {
  return api('POST', `/api/v1/tasks/${encodeURIComponent(id)}/reassign`, { reader, reason });
}
