// The "?" overlay listing the keyboard shortcuts.
import { kShortcutHelp } from '../keyboard';

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <div class="overlay" role="dialog" aria-label="Keyboard shortcuts" onClick={onClose}>
      <div class="overlay-box" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table class="help">
          <tbody>
            {kShortcutHelp.map(([keys, what]) => (
              <tr key={keys}>
                <th><kbd>{keys}</kbd></th>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button onClick={onClose}>Close</button>
      </div>
    </div>
  );
}
