import { useCallback, useRef, useState } from 'react';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { useKeyboardNavigation } from '../design/useKeyboardNavigation.js';
import { useDeviceStore } from '../system/deviceStore.js';
import { useSystemVersion } from '../system/useSystemVersion.js';
import { SetupPrivacyStep } from '../privacy/SetupPrivacyStep.js';
import { SetupLockStep } from '../lock/SetupLockStep.js';
import { SupportBanner } from '../support/SupportBanner.js';
import { AlertBanner } from '../alerts/AlertBanner.js';

/** The first-run wizard. Each step appears only once the feature behind it works. */
const STEPS = ['welcome', 'privacy', 'lock', 'finish'] as const;

export function SetupScreen() {
  const client = useClient();
  const identity = useDeviceStore((s) => s.identity);
  const system = useSystemVersion();
  const [step, setStep] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const scope = useRef<HTMLDivElement>(null);
  const back = useCallback(() => setStep((s) => Math.max(0, s - 1)), []);
  useKeyboardNavigation(scope, back);

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

  return (
    <main className="wizard" ref={scope} data-mode="setup">
      {/* Inside the screen's keyboard scope: the arrows reach its Stop button. */}
      <SupportBanner />
      <AlertBanner />
      <ol className="steps" aria-label="Setup progress">
        {STEPS.map((name, i) => (
          <li key={name} className={i === step ? 'current' : i < step ? 'done' : ''} aria-current={i === step ? 'step' : undefined}>
            {i + 1}
          </li>
        ))}
      </ol>
      {STEPS[step] === 'welcome' ? (
        <section className="wizard-step" key="welcome">
          <h1>Welcome to your headset</h1>
          <p>This short setup gets the headset ready. Use the arrows or the controller to move, Enter to choose, Escape to go back.</p>
          <dl className="facts">
            <dt>Device ID</dt>
            <dd className="mono" data-testid="device-id">
              {identity?.deviceId}
            </dd>
            <dt>System</dt>
            <dd data-testid="setup-system">{system ? `System ${system}` : ''}</dd>
          </dl>
          <div className="actions">
            <Button variant="primary" onClick={() => setStep(STEPS.indexOf('privacy'))} autoFocus>
              Continue
            </Button>
          </div>
        </section>
      ) : STEPS[step] === 'privacy' ? (
        <SetupPrivacyStep onBack={back} onDone={() => setStep(STEPS.indexOf('lock'))} />
      ) : STEPS[step] === 'lock' ? (
        <SetupLockStep onBack={back} onDone={() => setStep(STEPS.indexOf('finish'))} />
      ) : (
        <section className="wizard-step" key="finish">
          <h1>All set</h1>
          <p>Finish setup to open the headset's settings. You can come back to any of this from there.</p>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <div className="actions">
            <Button onClick={back}>Back</Button>
            <Button variant="primary" onClick={() => void finish()} disabled={busy} autoFocus>
              {busy ? 'Finishing…' : 'Finish setup'}
            </Button>
          </div>
        </section>
      )}
    </main>
  );
}
