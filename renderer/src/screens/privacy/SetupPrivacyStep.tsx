import { useState } from 'react';
import { Button } from '../../design/Button.js';
import { usePrivacyStore } from '../../stores/privacyStore.js';
import { CategorySwitches } from './CategorySwitches.js';
import { PolicyText } from './PolicyText.js';
import { usePrivacyDecision } from './usePrivacyDecision.js';
import './privacy.css';

/**
 * The setup wizard's privacy step: the wearer chooses what the headset may send before setup ends.
 * Everything optional starts off (a choice already made under the current policy is shown as made).
 */
export function SetupPrivacyStep({ onBack, onDone }: { onBack: () => void; onDone: () => void }) {
  const status = usePrivacyStore((s) => s.status);
  const { send, busy, error } = usePrivacyDecision();
  const [choices, setChoices] = useState<Record<string, boolean>>();
  const [policyOpen, setPolicyOpen] = useState(false);
  if (!status) return <p role="status">Loading the privacy choices…</p>;
  const granted = choices ?? Object.fromEntries(status.categories.map((c) => [c.id, c.essential || (!status.needsDecision && c.granted)]));
  const save = async () => {
    const optional = Object.fromEntries(status.categories.filter((c) => !c.essential).map((c) => [c.id, granted[c.id] ?? false]));
    if (await send(status, optional)) onDone();
  };
  return (
    <section className="wizard-step" key="privacy" aria-labelledby="privacy-step-title">
      <h1 id="privacy-step-title">Your privacy</h1>
      <p>Choose what this headset may send to help improve it. Everything is off unless you turn it on, except what is needed to deliver safe updates. You can change this any time in Settings, Privacy.</p>
      <div className="privacy-policy-link">
        <Button aria-expanded={policyOpen} onClick={() => setPolicyOpen((open) => !open)}>
          {policyOpen ? 'Hide the policy' : `Read the privacy policy (version ${status.policyVersion})`}
        </Button>
      </div>
      {policyOpen && (
        <div className="policy-scroll" tabIndex={0} aria-label="Privacy policy text (Page Up and Page Down scroll)">
          <PolicyText />
        </div>
      )}
      <CategorySwitches categories={status.categories} granted={granted} disabled={busy} onChange={(id, on) => setChoices({ ...granted, [id]: on })} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="actions">
        <Button onClick={onBack}>Back</Button>
        <Button variant="primary" onClick={() => void save()} disabled={busy} autoFocus>
          {busy ? 'Saving…' : 'Save and continue'}
        </Button>
      </div>
    </section>
  );
}
