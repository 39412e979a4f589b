import { useEffect, useRef, useState } from 'react';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { usePrivacyStore } from './privacyStore.js';
import { CategorySwitches } from './CategorySwitches.js';
import { navigateWithin, scrollToEdgeOnEntry } from './choicesNavigation.js';
import { PolicyOverlay } from './PolicyOverlay.js';
import { usePrivacyDecision } from './usePrivacyDecision.js';
import './privacy.css';

/** How long the step waits for the consent state (`privacy.changed`) before saying it is missing. */
export const PRIVACY_LOAD_TIMEOUT_MS = 10_000;

/**
 * The setup wizard's privacy step: the wearer chooses what the headset may send before setup ends.
 * Everything optional starts off (a choice already made under the current policy is shown as made).
 * The title, the intro and the actions stay on screen; only the choices scroll. "Save and continue"
 * takes the focus without scrolling, so Enter alone accepts the defaults.
 */
export function SetupPrivacyStep({ onBack, onDone }: { onBack: () => void; onDone: () => void }) {
  const status = usePrivacyStore((s) => s.status);
  const { send, busy, error } = usePrivacyDecision();
  const [choices, setChoices] = useState<Record<string, boolean>>();
  const [policyOpen, setPolicyOpen] = useState(false);
  const policyButton = useRef<HTMLButtonElement>(null);
  const saveButton = useRef<HTMLButtonElement>(null);
  const choicesBox = useRef<HTMLDivElement>(null);
  const loaded = status !== undefined;
  useEffect(() => {
    if (loaded) saveButton.current?.focus({ preventScroll: true });
  }, [loaded]);
  if (!status) return <PrivacyLoading onBack={onBack} />;
  if (policyOpen) {
    return (
      <PolicyOverlay
        version={status.policyVersion}
        onClose={() => {
          setPolicyOpen(false);
          // Back where the wearer was: on the button that opened the policy.
          requestAnimationFrame(() => policyButton.current?.focus({ preventScroll: true }));
        }}
      />
    );
  }
  const granted = choices ?? Object.fromEntries(status.categories.map((c) => [c.id, c.essential || (!status.needsDecision && c.granted)]));
  const save = async () => {
    if (busy) return;
    const optional = Object.fromEntries(status.categories.filter((c) => !c.essential).map((c) => [c.id, granted[c.id] ?? false]));
    if (await send(status, optional)) onDone();
  };
  return (
    <section className="wizard-step privacy-step" key="privacy" aria-labelledby="privacy-step-title">
      <div className="privacy-step-head" onKeyDown={(e) => scrollToEdgeOnEntry(e, choicesBox.current, 'ArrowDown')}>
        <h1 id="privacy-step-title">Your privacy</h1>
        <Button ref={policyButton} aria-haspopup="dialog" onClick={() => setPolicyOpen(true)}>
          Read the privacy policy (version {status.policyVersion})
        </Button>
      </div>
      <p>
        Choose what this headset may send to help improve it. Everything is off unless you turn it on, except what is needed to deliver safe updates.
        You can change this any time in Settings, Privacy.
      </p>
      <div className="privacy-step-choices" ref={choicesBox} onKeyDown={navigateWithin}>
        <CategorySwitches
          categories={status.categories}
          granted={granted}
          disabled={busy}
          onChange={(id, on) => setChoices({ ...granted, [id]: on })}
        />
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="actions" onKeyDown={(e) => scrollToEdgeOnEntry(e, choicesBox.current, 'ArrowUp')}>
        <Button onClick={onBack}>Back</Button>
        {/* aria-disabled, not disabled, while saving: the focus stays on the button. */}
        <Button ref={saveButton} variant="primary" aria-disabled={busy || undefined} onClick={() => void save()}>
          {busy ? 'Saving…' : 'Save and continue'}
        </Button>
      </div>
    </section>
  );
}

/**
 * Until the consent state arrives: a Back button at once, and after a while an error with a retry
 * (`privacy.get`), so the wizard never waits forever on a headsetd that does not answer.
 */
function PrivacyLoading({ onBack }: { onBack: () => void }) {
  const client = useClient();
  const [attempt, setAttempt] = useState(0);
  const [timedOut, setTimedOut] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => {
    setTimedOut(false);
    const timer = setTimeout(() => setTimedOut(true), PRIVACY_LOAD_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, [attempt]);
  const retry = () => {
    setError(undefined);
    setAttempt((n) => n + 1);
    client.call('privacy.get').then(
      (status) => usePrivacyStore.setState({ status }),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };
  return (
    <section className="wizard-step privacy-step" key="privacy-loading" aria-labelledby="privacy-step-title">
      <h1 id="privacy-step-title">Your privacy</h1>
      {timedOut || error ? (
        <p role="alert" className="error">
          The privacy choices did not arrive from the headset{error ? `: ${error}` : ` within ${PRIVACY_LOAD_TIMEOUT_MS / 1000} seconds`}. Try again,
          or go back and come to this step later.
        </p>
      ) : (
        <p role="status">Loading the privacy choices…</p>
      )}
      <div className="actions">
        <Button onClick={onBack}>Back</Button>
        {(timedOut || error) && (
          <Button variant="primary" onClick={retry}>
            Try again
          </Button>
        )}
      </div>
    </section>
  );
}
