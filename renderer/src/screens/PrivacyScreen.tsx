import { useState } from 'react';
import { Button } from '../design/Button.js';
import { Panel } from '../design/Panel.js';
import { usePrivacyStore } from '../stores/privacyStore.js';
import { CategorySwitches } from './privacy/CategorySwitches.js';
import { consentNotice, type ConsentChange } from './privacy/consentNotice.js';
import { OutboxPanel } from './privacy/OutboxPanel.js';
import { PolicyScroll } from './privacy/PolicyScroll.js';
import { useOutboxStatus } from './privacy/useOutboxStatus.js';
import { usePrivacyDecision } from './privacy/usePrivacyDecision.js';
import { useFeatureUse } from './privacy/useScreenViews.js';
import './privacy/privacy.css';

/**
 * Privacy: one switch per telemetry category (essential locked on), the policy they follow, and
 * what turning one off does. Every change is sent at once and mirrors `privacy.changed`.
 */
export function PrivacyScreen() {
  const status = usePrivacyStore((s) => s.status);
  const { send, busy, error } = usePrivacyDecision();
  const [change, setChange] = useState<ConsentChange>();
  const [policyOpen, setPolicyOpen] = useState(false);
  const featureUsed = useFeatureUse();
  const outbox = useOutboxStatus(status);
  if (!status) return <Panel title="Privacy">Loading…</Panel>;
  const granted = Object.fromEntries(status.categories.map((c) => [c.id, c.granted]));
  const toggle = async (id: string, on: boolean) => {
    setChange(undefined);
    const title = status.categories.find((c) => c.id === id)?.title ?? id;
    if (await send(status, { [id]: on })) setChange({ title, on });
  };
  return (
    <div className="privacy">
      <Panel title="What this headset may send" className="privacy-choices">
        {status.needsDecision && (
          <div className="privacy-review" role="status">
            <p>
              {status.decidedAt ? 'The privacy policy changed.' : 'You have not chosen yet.'} Until you confirm, only the essential category is sent.
            </p>
            {/* aria-disabled, not disabled, while saving: the focus stays on the button. */}
            <Button variant="primary" aria-disabled={busy || undefined} onClick={() => !busy && void send(status, granted)}>
              Confirm these choices
            </Button>
          </div>
        )}
        <CategorySwitches categories={status.categories} granted={granted} disabled={busy} onChange={(id, on) => void toggle(id, on)} />
        <p className="privacy-status" role="status" aria-live="polite">
          {busy ? 'Saving…' : change ? consentNotice(change, outbox.status) : ''}
        </p>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </Panel>
      <div className="privacy-side">
        <OutboxPanel status={outbox.status} failed={outbox.failed} />
        <Panel title="Privacy policy" className="privacy-policy">
          <p>
            Version {status.policyVersion}
            {status.decidedAt && <span className="muted"> · your choice saved {new Date(status.decidedAt).toLocaleString()}</span>}
          </p>
          <p className="muted">Everything is anonymized on the headset before it is queued: no e-mail, network name, address, serial number or precise position leaves it, and the device id is replaced by a weekly pseudonym.</p>
          <Button
            aria-expanded={policyOpen}
            onClick={() => {
              if (!policyOpen) featureUsed('privacy.policy-read');
              setPolicyOpen(!policyOpen);
            }}
          >
            {policyOpen ? 'Hide the policy' : 'Read the privacy policy'}
          </Button>
          {policyOpen && <PolicyScroll />}
        </Panel>
      </div>
    </div>
  );
}
