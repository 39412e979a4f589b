import { useRef, useState } from 'react';
import { Button } from '../design/Button.js';
import { Panel } from '../design/Panel.js';
import type { PrivacyStatus } from '../../../src/api/contract.js';
import { usePrivacyStore } from './privacyStore.js';
import { CategorySwitches } from './CategorySwitches.js';
import { consentNotice, type ConsentChange } from './consentNotice.js';
import { OutboxPanel } from './OutboxPanel.js';
import { PolicyOverlay } from './PolicyOverlay.js';
import { useOutboxStatus } from './useOutboxStatus.js';
import { usePrivacyDecision } from './usePrivacyDecision.js';
import { useFeatureUse } from './useScreenViews.js';
import './privacy.css';

type Category = PrivacyStatus['categories'][number];

/**
 * Privacy: one switch per telemetry category (essential locked on), the policy they follow, and
 * what turning one off does. Every change is sent at once and mirrors `privacy.changed`.
 */
export function PrivacyScreen() {
  const status = usePrivacyStore((s) => s.status);
  const { send, busy, error } = usePrivacyDecision();
  const [change, setChange] = useState<ConsentChange & { id: Category['id']; done: boolean }>();
  const [policyOpen, setPolicyOpen] = useState(false);
  const policyButton = useRef<HTMLButtonElement>(null);
  const featureUsed = useFeatureUse();
  const outbox = useOutboxStatus(status);
  if (!status) return <Panel title="Privacy">Loading…</Panel>;
  const granted = Object.fromEntries(status.categories.map((c) => [c.id, c.granted]));
  const toggle = async (id: Category['id'], on: boolean) => {
    const title = status.categories.find((c) => c.id === id)?.title ?? id;
    setChange({ id, title, on, done: false });
    const done = await send(status, { [id]: on });
    setChange({ id, title, on, done: done !== undefined });
  };
  // What the last change did, under its own switch: saving, then the outcome or the error.
  const notes = change ? { [change.id]: !change.done ? (busy ? 'Saving…' : (error ?? '')) : consentNotice(change, outbox.status) } : undefined;
  return (
    <div className="privacy">
      <Panel title="What this headset may send" className="privacy-choices">
        {status.needsDecision && (
          <div className="privacy-review" role="status">
            <p>
              {status.decidedAt ? 'The privacy policy changed.' : 'You have not chosen yet.'} Until you confirm, only the essential category is sent.
            </p>
            {/* aria-disabled, not disabled, while saving: the focus stays on the button. */}
            <Button
              variant="primary"
              aria-disabled={busy || undefined}
              onClick={() => {
                if (busy) return;
                setChange(undefined);
                void send(status, granted);
              }}
            >
              Confirm these choices
            </Button>
          </div>
        )}
        <CategorySwitches
          categories={status.categories}
          granted={granted}
          disabled={busy}
          onChange={(id, on) => void toggle(id, on)}
          notes={notes ?? {}}
        />
        {error && !change && (
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
          <p className="muted">
            Everything is anonymized on the headset before it is queued: no e-mail, network name, address, serial number or precise position leaves
            it, and the device id is replaced by a weekly pseudonym.
          </p>
          <Button
            ref={policyButton}
            aria-haspopup="dialog"
            onClick={() => {
              featureUsed('privacy.policy-read');
              setPolicyOpen(true);
            }}
          >
            Read the privacy policy
          </Button>
        </Panel>
      </div>
      {policyOpen && (
        <PolicyOverlay
          version={status.policyVersion}
          onClose={() => {
            setPolicyOpen(false);
            policyButton.current?.focus();
          }}
        />
      )}
    </div>
  );
}
