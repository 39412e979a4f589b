import type { UpdateState } from '../../../src/api/contract.js';
import { useUpdateStore } from './updateStore.js';
import './updatesBadge.css';

/** What an update waits for, in a word the side menu can show next to "Updates". */
const WORDS: Partial<Record<UpdateState['status'], string>> = {
  available: 'New',
  downloaded: 'Ready',
  'ready-to-reboot': 'Restart',
  failed: 'Problem',
};

/** A labelled badge on the Updates entry of the navigation while an update waits for the wearer. */
export function UpdatesBadge() {
  const status = useUpdateStore((s) => s.status?.state.status);
  const word = status ? WORDS[status] : undefined;
  return word ? (
    <span className={`rail-badge ${status === 'failed' ? 'danger' : ''}`} data-testid="updates-badge">
      {word}
    </span>
  ) : null;
}
