import { useState } from 'react';
import type { LicenseStatus } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { Panel } from '../design/Panel.js';
import { ProblemDetails } from '../design/ProblemDetails.js';
import { licenseProblemOf, type LicenseProblem } from './licenseProblems.js';
import { licenseTimeline, licenseWords } from './licenseWords.js';
import { useLicenseStore } from './licenseStore.js';
import './license.css';

/**
 * Settings, License: the state in plain words, the days left as a timeline, the features and whether
 * each is on (and why not), installing a licence file from the USB stick, and the revocation list.
 */
export function LicenseScreen() {
  const client = useClient();
  const status = useLicenseStore((s) => s.status);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<LicenseProblem>();
  const [done, setDone] = useState<string>();

  const run = async (what: 'license.installFromUsb' | 'license.refreshRevocations', success: string) => {
    setBusy(true);
    setProblem(undefined);
    setDone(undefined);
    try {
      useLicenseStore.setState({ status: await client.call(what) });
      setDone(success);
    } catch (e) {
      setProblem(licenseProblemOf(e));
    } finally {
      setBusy(false);
    }
  };

  if (!status) return <p className="muted">Reading the licence…</p>;
  const words = licenseWords(status);
  return (
    <div className="license">
      <Panel title="Licence" className="license-state">
        <p className={`license-title tone-${words.tone}`} data-testid="license-state">
          {words.title}
        </p>
        <p data-testid="license-detail">{words.detail}</p>
        {status.licensee && (
          <p className="muted">
            For {status.licensee} · serial <span className="mono">{status.serial}</span>
          </p>
        )}
        <Timeline status={status} />
        {status.clockBehind && (
          <p className="license-note" data-testid="license-clock">
            The headset's clock is behind the latest time it trusted; licence days are counted from that time.
          </p>
        )}
      </Panel>
      <Panel title="Features" className="license-features">
        {status.features.length === 0 ? (
          <p className="muted">No licensed features.</p>
        ) : (
          <ul className="license-feature-list" data-testid="license-features">
            {status.features.map((feature) => {
              const on = status.grantedFeatures.includes(feature);
              return (
                <li key={feature}>
                  <span className="mono">{feature}</span>
                  <span className={`badge ${on ? 'ok' : 'warn'}`}>{on ? 'On' : `Off: ${words.title.toLowerCase()}`}</span>
                </li>
              );
            })}
          </ul>
        )}
      </Panel>
      <Panel title="Install a licence" className="license-install">
        <p>Copy the licence file (.hclicense) to the top of a USB stick, plug it into the headset, then:</p>
        <Button
          variant="primary"
          aria-disabled={busy || undefined}
          onClick={() => !busy && void run('license.installFromUsb', 'Licence installed.')}
          data-testid="license-install-usb"
        >
          Install from USB stick
        </Button>
        {status.revocations.source !== 'none' && (
          <Button
            aria-disabled={busy || undefined}
            onClick={() => !busy && void run('license.refreshRevocations', 'Checked for withdrawn licences.')}
          >
            Check for withdrawn licences
          </Button>
        )}
        {done && (
          <p role="status" className="tone-ok">
            {done}
          </p>
        )}
        {problem && (
          <div role="alert" data-testid="license-problem">
            <p>{problem.words}</p>
            <ProblemDetails code={problem.code} message={problem.message} />
          </div>
        )}
        <p className="muted">
          {status.revocations.version === null
            ? 'No list of withdrawn licences yet.'
            : `List of withdrawn licences: version ${status.revocations.version}${status.revocations.fetchedAt ? `, checked ${status.revocations.fetchedAt.slice(0, 10)}` : ''}.`}
        </p>
      </Panel>
    </div>
  );
}

/** The days left as a picture: valid, the last 30 days, grace, and a marker at today (trusted time). */
function Timeline({ status }: { status: LicenseStatus }) {
  const timeline = licenseTimeline(status);
  if (!timeline) return null;
  return (
    <figure className="license-timeline" aria-label={`Licence timeline: ${licenseWords(status).detail}`} data-testid="license-timeline">
      <div className="license-track">
        {timeline.segments.map((s) => (
          <div key={s.kind} className={`license-segment ${s.kind}`} style={{ left: `${s.start * 100}%`, width: `${(s.end - s.start) * 100}%` }} />
        ))}
        <div className="license-now" style={{ left: `${timeline.now * 100}%` }} aria-hidden="true" />
      </div>
      <figcaption className="license-dates">
        <span>{status.notBefore?.slice(0, 10)}</span>
        <span>Ends {status.expiresAt?.slice(0, 10)}</span>
        {status.graceDays ? <span>Grace to {status.graceEndsAt?.slice(0, 10)}</span> : null}
      </figcaption>
    </figure>
  );
}
