import { useId, useState } from 'react';
import { Button } from '../design/Button.js';
import { SetupLockStep } from '../lock/SetupLockStep.js';
import { leaveWithUpDown } from '../network/PasswordField.js';

/**
 * The wearer: the name the headset greets them by (journaled, so a restart keeps it), then a PIN
 * (the lock's own step: typed twice, sent straight to lock.set, never kept here). Either can be
 * skipped; the PIN is set or changed later in Settings, Lock.
 */
export function AccountStep({
  name,
  onName,
  onNext,
  onSkip,
  onBack,
}: {
  name: string | null;
  onName(name: string | null): Promise<void>;
  onNext(): void;
  onSkip(): void;
  onBack(): void;
}) {
  const id = useId();
  const [typed, setTyped] = useState(name ?? '');
  const [part, setPart] = useState<'name' | 'pin'>('name');
  const [error, setError] = useState<string>();
  const trimmed = typed.trim();

  if (part === 'pin') return <SetupLockStep onBack={() => setPart('name')} onDone={onNext} onSkip={onSkip} />;
  const next = async () => {
    setError(undefined);
    try {
      await onName(trimmed === '' ? null : trimmed);
      setPart('pin');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section className="wizard-step" aria-labelledby="setup-account-title">
      <h1 id="setup-account-title">About you</h1>
      <p>What should the headset call you? You can leave it empty. Next comes a PIN that protects network changes, reset and support access.</p>
      <form
        className="setup-field"
        onSubmit={(event) => {
          event.preventDefault();
          void next();
        }}
      >
        <label htmlFor={`${id}-name`}>Your name</label>
        <input
          id={`${id}-name`}
          className="setup-input"
          type="text"
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          autoFocus
          // Up and Down leave the field, as in the Network screen's: the arrows reach the buttons.
          onKeyDown={leaveWithUpDown}
          data-testid="setup-name"
        />
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="actions">
        <Button onClick={onBack}>Back</Button>
        <Button onClick={onSkip}>Skip name and PIN</Button>
        <Button variant="primary" onClick={() => void next()} data-testid="setup-name-continue">
          Continue
        </Button>
      </div>
    </section>
  );
}
