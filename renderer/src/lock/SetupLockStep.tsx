import { useState } from 'react';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { lockProblem } from './lockProblem.js';
import { useLockStore } from './lockStore.js';
import { NewPinEntry } from './NewPinEntry.js';
import './lock.css';

/**
 * The setup wizard's lock step: a PIN to protect network changes, reset and support access, typed
 * twice (`onDone`); or skipped (`onSkip`: the step ends "skipped", Settings, Lock sets one later).
 * A PIN already set is said so, and Continue counts as done.
 */
export function SetupLockStep({ onBack, onDone, onSkip }: { onBack: () => void; onDone: () => void; onSkip: () => void }) {
  const client = useClient();
  const pin = useLockStore((s) => s.state?.pin);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  if (pin === 'set' || pin === 'unreadable')
    return (
      <section className="wizard-step" key="lock">
        <h1>{pin === 'set' ? 'A PIN is set' : 'The lock cannot be read'}</h1>
        <p>
          {pin === 'set'
            ? 'Network changes, reset and support access need it. You can change or remove it in Settings, Lock.'
            : 'The lock file cannot be read, so the headset stays locked. A factory reset clears it.'}
        </p>
        <div className="actions">
          <Button onClick={onBack}>Back</Button>
          <Button variant="primary" onClick={onDone} autoFocus>
            Continue
          </Button>
        </div>
      </section>
    );

  const set = async (newPin: string) => {
    setBusy(true);
    setError(undefined);
    try {
      useLockStore.getState().setStatus(await client.call('lock.set', { pin: newPin }));
      onDone();
    } catch (e) {
      setError(lockProblem(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="wizard-step lock-step" key="lock">
      <NewPinEntry
        title="Protect changes with a PIN"
        onDone={(newPin) => void set(newPin)}
        onCancel={onBack}
        cancelLabel="Back"
        blocked={busy}
        error={error}
        // Enter alone goes on, as on every step: Skip has the focus; typed digits or the arrows reach the keys.
        focusKeys={false}
        extra={
          <Button onClick={onSkip} autoFocus data-testid="setup-pin-skip">
            Skip for now
          </Button>
        }
      />
    </div>
  );
}
