import { Button } from '../design/Button.js';
import { ResetPanel } from './ResetPanel.js';

/** The recovery kiosk's reset: the same choices, confirmation, PIN and progress as Settings, and a way back to the actions. */
export function RecoveryReset({ onBack }: { onBack(): void }) {
  return (
    <div className="recovery-reset" data-testid="recovery-reset">
      <Button onClick={onBack} data-testid="recovery-reset-back">
        Back to the recovery actions
      </Button>
      <ResetPanel threeKeys />
    </div>
  );
}
