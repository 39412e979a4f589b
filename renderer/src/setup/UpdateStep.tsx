import { useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import type { UpdateStatus } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';

export function updateCheckWords(status: UpdateStatus): string {
  const state = status.state;
  switch (state.status) {
    case 'unconfigured':
      return 'No update server is set up for this headset.';
    case 'up-to-date':
    case 'idle':
      return `System ${status.current.version} is the newest.`;
    case 'checking':
      return state.waitingFor === 'network' ? 'The headset is offline: it checks once it is online.' : 'Still checking…';
    case 'available':
    case 'downloaded':
      return `System ${state.offer.version} is available. Install it in Settings, Updates.`;
    default:
      return 'An update is under way: see Settings, Updates.';
  }
}

/** An optional update check (update.check): the answer in words; installing is left to Settings, Updates. */
export function UpdateStep({ onNext, onSkip, onBack }: { onNext(): void; onSkip(): void; onBack(): void }) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<string>();
  const [error, setError] = useState<string>();
  const check = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setAnswer(updateCheckWords(await client.call('update.check')));
    } catch (e) {
      setError(
        e instanceof ApiError && e.code === 'UPDATE_NOT_CONFIGURED'
          ? 'No update server is set up for this headset.'
          : e instanceof ApiError && e.code === 'UPDATE_CHECK_FAILED'
            ? 'The update server could not be reached. Try again later in Settings, Updates.'
            : e instanceof Error
              ? e.message
              : String(e),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="wizard-step" aria-labelledby="setup-update-title">
      <h1 id="setup-update-title">Check for updates</h1>
      <p>See whether a newer system exists for this headset. Nothing is installed now; you choose when, in Settings, Updates.</p>
      {answer && (
        <p role="status" data-testid="setup-update-answer">
          {answer}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="actions">
        <Button onClick={onBack}>Back</Button>
        {answer || error ? (
          <Button variant="primary" onClick={onNext} autoFocus>
            Continue
          </Button>
        ) : (
          <>
            <Button onClick={onSkip} autoFocus data-testid="setup-update-skip">
              Skip
            </Button>
            <Button variant="primary" aria-disabled={busy || undefined} onClick={() => !busy && void check()}>
              {busy ? 'Checking…' : 'Check now'}
            </Button>
          </>
        )}
      </div>
    </section>
  );
}
