// Log-in: user and password, answered by POST /api/v1/login with a session token.
import { useState } from 'preact/hooks';
import { logIn } from '../api';
import type { Session } from '../types';

export function LoginScreen({ onLoggedIn }: { onLoggedIn: (s: Session) => void }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await logIn(user, password));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="login-form" onSubmit={submit}>
        <h1>Sundial</h1>
        <p class="muted">Reading room</p>
        <label>
          User
          <input name="user" autocomplete="username" value={user} autofocus
                 onInput={(e) => setUser((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" value={password}
                 onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </label>
        {error ? <p class="error" role="alert">{error}</p> : null}
        <button type="submit" disabled={busy || !user}>Log in</button>
      </form>
    </main>
  );
}
