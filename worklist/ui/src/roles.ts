// What each role may open (docs/security.md): the page shows only the screens whose API
// calls the engine would allow, instead of screens full of 403s.
import type { Session } from './types';

const has = (session: Session, ...roles: string[]) => roles.some((r) => session.roles.includes(r));

export const mayDispatch = (s: Session) => has(s, 'admin', 'dispatcher');
export const maySeeTat = (s: Session) => has(s, 'admin', 'dispatcher', 'site_viewer', 'auditor');
export const maySeeTasks = (s: Session) => has(s, 'admin', 'dispatcher', 'reader', 'site_viewer', 'auditor');
