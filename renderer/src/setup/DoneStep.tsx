import { useState } from 'react';
import { SETUP_STEPS, type SetupProgress } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { useRegistrationStore } from '../registration/registrationStore.js';
import { registrationWords } from '../registration/registrationWords.js';
import { STEP_INFO } from './setupSteps.js';

/**
 * Done: what each step ended with and where it is found again, the fleet registration when a fleet
 * server is configured (it runs by itself once online: nothing to press), and Finish.
 */
export function DoneStep({ progress, onBack }: { progress: SetupProgress; onBack(): void }) {
  const client = useClient();
  const registration = useRegistrationStore((s) => s.status);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const finish = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await client.call('setup.complete');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  const managed = registration && registration.serverUrl !== null ? registrationWords(registration) : undefined;
  const name = progress.entered.wearerName;
  return (
    <section className="wizard-step" aria-labelledby="setup-done-title">
      <h1 id="setup-done-title">{name ? `All set, ${name}` : 'All set'}</h1>
      <ul className="setup-summary" data-testid="setup-summary">
        {SETUP_STEPS.filter((s) => s !== 'done').map((step) => {
          const outcome = progress.outcomes[step];
          const place = STEP_INFO[step].settings;
          return (
            <li key={step}>
              <strong>{STEP_INFO[step].label}:</strong> {outcome === 'done' ? 'done' : outcome === 'skipped' ? 'skipped' : 'not done'}
              {place && outcome !== 'done' ? ` (later in ${place})` : ''}
            </li>
          );
        })}
      </ul>
      {managed && (
        <p data-testid="setup-registration">
          <strong>{managed.headline}.</strong> {managed.note}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="actions">
        <Button onClick={onBack}>Back</Button>
        <Button variant="primary" aria-disabled={busy || undefined} onClick={() => !busy && void finish()} autoFocus data-testid="setup-finish">
          {busy ? 'Finishing…' : 'Finish setup'}
        </Button>
      </div>
    </section>
  );
}
