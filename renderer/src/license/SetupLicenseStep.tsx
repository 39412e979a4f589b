import { useEffect, useRef, useState } from 'react';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { ProblemDetails } from '../design/ProblemDetails.js';
import { licenseProblemOf, type LicenseProblem } from './licenseProblems.js';
import { useLicenseStore } from './licenseStore.js';
import { licenseWords } from './licenseWords.js';
import './license.css';

/**
 * The setup wizard's licence step: the licence's state in the License screen's words, and installing
 * the licence file from the USB stick (license.installFromUsb), or skipping to do it later.
 *
 *   not licensed ──Install──> installing ──ok──> licensed ──Continue──> next step (done)
 *        │                        └──refused──> not licensed + the reason (Try again / Skip)
 *        └──Skip──> next step (skipped)
 *
 * Enter alone moves on: Skip has the focus while there is no usable licence, Continue once there is.
 */
export function SetupLicenseStep({ onBack, onNext, onSkip }: { onBack(): void; onNext(): void; onSkip(): void }) {
  const client = useClient();
  const status = useLicenseStore((s) => s.status);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<LicenseProblem>();
  const [installed, setInstalled] = useState(false);
  const forward = useRef<HTMLButtonElement>(null);
  // A licence that grants its features now (installed here, or kept from before) lets the wearer go on.
  const usable = status !== undefined && (status.state === 'active' || status.state === 'expiringSoon' || status.state === 'grace');

  // On opening, and when the forward button changes (Skip to Continue): never while the wearer walks the step.
  useEffect(() => {
    forward.current?.focus({ preventScroll: true });
  }, [usable]);

  const install = async () => {
    if (busy) return;
    setBusy(true);
    setProblem(undefined);
    try {
      useLicenseStore.setState({ status: await client.call('license.installFromUsb') });
      setInstalled(true);
    } catch (e) {
      setProblem(licenseProblemOf(e));
    } finally {
      setBusy(false);
    }
  };

  const words = status && licenseWords(status);
  return (
    <section className="wizard-step setup-license" aria-labelledby="setup-license-title">
      <h1 id="setup-license-title">Licence</h1>
      <p>
        If you were given a licence file for this headset, copy it (.hclicense) to the top of a USB stick, plug the stick in and install it. Or skip:
        you can install it later in Settings, License.
      </p>
      <div className="setup-license-state" data-testid="setup-license-state">
        {words ? (
          <>
            <p className={`license-title tone-${words.tone}`}>{words.title}</p>
            <p>{words.detail}</p>
            {status.licensee && <p className="muted">For {status.licensee}</p>}
          </>
        ) : (
          <p role="status">Reading the licence…</p>
        )}
      </div>
      {busy && (
        <p role="status" data-testid="setup-license-busy">
          Reading the USB stick…
        </p>
      )}
      {installed && !busy && (
        <p role="status" className="tone-ok" data-testid="setup-license-installed">
          Licence installed.
        </p>
      )}
      {problem && (
        <div role="alert" className="error" data-testid="setup-license-problem">
          <p>{problem.words}</p>
          <ProblemDetails code={problem.code} message={problem.message} />
        </div>
      )}
      <div className="actions">
        <Button onClick={onBack}>Back</Button>
        {usable ? (
          <Button ref={forward} variant="primary" onClick={onNext} data-testid="setup-license-continue">
            Continue
          </Button>
        ) : (
          <>
            <Button ref={forward} onClick={onSkip} data-testid="setup-license-skip">
              Skip
            </Button>
            {/* aria-disabled, not disabled, while installing: the focus stays on the button. */}
            <Button variant="primary" aria-disabled={busy || undefined} onClick={() => void install()} data-testid="setup-license-install">
              {busy ? 'Installing…' : problem ? 'Try again' : 'Install from USB stick'}
            </Button>
          </>
        )}
      </div>
    </section>
  );
}
