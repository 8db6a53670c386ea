// Keyboard shortcuts for a reading room: the reader's hands stay on the keyboard. A key
// typed into a text field or select is the field's, never a shortcut.
import { useEffect } from 'preact/hooks';

export type KeyMap = Record<string, () => void>;

function typingIn(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element) return false;
  return element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName);
}

export function useKeys(keys: KeyMap, active = true): void {
  useEffect(() => {
    if (!active) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
      const action = keys[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [keys, active]);
}

export const kShortcutHelp: [string, string][] = [
  ['j / ↓', 'next task'],
  ['k / ↑', 'previous task'],
  ['c', 'claim the selected task'],
  ['r', 'release it'],
  ['s', 'start reading it'],
  ['d', 'mark it reported (done)'],
  ['o', 'open it in the viewer'],
  ['1 / 2 / 3', 'worklist / board / TAT'],
  ['?', 'this help; Esc closes it'],
];
