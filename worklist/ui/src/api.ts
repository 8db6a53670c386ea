// Every call to the engine goes through here: the session token on each request, JSON in
// and out, and one error type carrying the engine's {"error": "..."} message.
import type { Session } from './types';

const kSessionKey = 'sundial.session';

export class ApiError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

// sessionStorage, not localStorage: a reading-room workstation is shared, and closing the
// tab must end the session.
export function loadSession(): Session | null {
  const text = sessionStorage.getItem(kSessionKey);
  if (!text) return null;
  try {
    return JSON.parse(text) as Session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(kSessionKey, JSON.stringify(session));
  else sessionStorage.removeItem(kSessionKey);
}

// Raised when the engine says the token is no longer good; the app goes back to log-in.
export const kLoggedOutEvent = 'sundial:logged-out';

export function authHeaders(): Record<string, string> {
  const session = loadSession();
  return session?.token ? { Authorization: `Bearer ${session.token}` } : {};
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: any = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (response.status === 401 && path !== '/api/v1/login') {
    saveSession(null);
    window.dispatchEvent(new Event(kLoggedOutEvent));
  }
  if (!response.ok) {
    const message = parsed && typeof parsed.error === 'string' ? parsed.error : `HTTP ${response.status}`;
    throw new ApiError(response.status, message);
  }
  return parsed as T;
}

export async function logIn(user: string, password: string): Promise<Session> {
  const answer = await api<any>('POST', '/api/v1/login', { user, password });
  const session: Session = {
    token: answer.token,
    user: answer.user ?? user,
    roles: answer.roles ?? [],
    reader_id: answer.reader_id || undefined,
  };
  if (!session.token) throw new ApiError(500, 'the engine answered the log-in without a token');
  saveSession(session);
  return session;
}

export async function logOut(): Promise<void> {
  try {
    await api('POST', '/api/v1/logout');
  } catch {
    // The session ends here whatever the engine says.
  }
  saveSession(null);
}
