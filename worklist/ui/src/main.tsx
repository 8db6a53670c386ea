// The page: log-in, then three screens chosen by the URL's hash (#/worklist, #/board, #/tat)
// so that a reload or a bookmark keeps the screen and the engine serves one index.html.
import { render } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { kLoggedOutEvent, loadSession, logOut } from './api';
import { useFloor } from './floor';
import { signOff, useHeartbeat } from './heartbeat';
import { useKeys } from './keyboard';
import { mayDispatch, maySeeTasks, maySeeTat } from './roles';
import { BoardScreen } from './screens/board';
import { HelpOverlay } from './screens/help';
import { LoginScreen } from './screens/login';
import { TatScreen } from './screens/tat';
import { WorklistScreen } from './screens/worklist';
import './styles.css';
import type { Session } from './types';

const kScreens = [
  { hash: '#/worklist', name: 'Worklist', allowed: maySeeTasks },
  { hash: '#/board', name: 'Board', allowed: mayDispatch },
  { hash: '#/tat', name: 'TAT', allowed: maySeeTat },
] as const;

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/worklist');
  useEffect(() => {
    const onChange = () => setHash(location.hash || '#/worklist');
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

// One clock for every countdown on the page, ticking each second.
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

function App() {
  const [session, setSession] = useState<Session | null>(loadSession());
  const [help, setHelp] = useState(false);
  const hash = useHash();
  const floor = useFloor(session);
  const now = useNow() + floor.clockOffsetMs;
  useHeartbeat(session);

  useEffect(() => {
    const onLoggedOut = () => setSession(null);
    window.addEventListener(kLoggedOutEvent, onLoggedOut);
    return () => window.removeEventListener(kLoggedOutEvent, onLoggedOut);
  }, []);

  const go = useCallback((h: string) => () => {
    location.hash = h;
  }, []);
  const globalKeys = useMemo(
    () => ({
      '?': () => setHelp((shown) => !shown),
      Escape: () => setHelp(false),
      '1': go('#/worklist'),
      '2': go('#/board'),
      '3': go('#/tat'),
    }),
    [go],
  );
  useKeys(globalKeys, session !== null);

  if (!session) return <LoginScreen onLoggedIn={setSession} />;

  return (
    <div class="app">
      <header class="topbar">
        <span class="brand">Sundial</span>
        <nav>
          {kScreens.filter((s) => s.allowed(session)).map((s) => (
            <a key={s.hash} href={s.hash} class={hash === s.hash ? 'active' : ''}>
              {s.name}
            </a>
          ))}
        </nav>
        <span class={`connection connection-${floor.connection}`} title="live updates">
          {floor.connection === 'live' ? '● live' : floor.connection === 'connecting' ? '○ connecting' : '○ offline'}
        </span>
        <span class="user">{session.user}</span>
        <button class="link" onClick={() => signOff(session).then(logOut).then(() => setSession(null))}>Log out</button>
        <button class="link" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">?</button>
      </header>
      {floor.error ? <p class="error banner" role="alert">{floor.error}</p> : null}
      <main>
        {hash === '#/board' && mayDispatch(session) ? (
          <BoardScreen floor={floor} now={now} />
        ) : hash === '#/tat' && maySeeTat(session) ? (
          <TatScreen now={now} />
        ) : (
          <WorklistScreen floor={floor} session={session} now={now} keysActive={!help} />
        )}
      </main>
      {help ? <HelpOverlay onClose={() => setHelp(false)} /> : null}
    </div>
  );
}

render(<App />, document.getElementById('app')!);
