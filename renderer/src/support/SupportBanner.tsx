import { useState } from 'react';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { useSupportStore } from './supportStore.js';
import { problemWords, sinceWords, stateWords, timeLeftWords } from './supportWords.js';
import { useNow } from './useNow.js';
import './support.css';

/**
 * While a support session runs, on top of every screen (settings, setup, recovery): who is
 * connected, since when, the time left, and Stop, which never needs the PIN.
 */
export function SupportBanner() {
  const client = useClient();
  const status = useSupportStore((s) => s.status);
  const at = useSupportStore((s) => s.at) ?? 0;
  const active = !!status && status.state !== 'off' && !!status.session;
  const now = useNow(active);
  const [stopping, setStopping] = useState(false);
  const [error, setError] = useState<string>();
  if (!active) return null;
  const session = status.session!;
  const elapsed = Math.max(0, now - at);
  const left = Math.max(0, session.endsInMs - elapsed);
  const retryLeft = session.retryInMs === null ? null : Math.max(0, session.retryInMs - elapsed);
  const stop = async () => {
    setStopping(true);
    setError(undefined);
    try {
      useSupportStore.getState().setStatus(await client.call('support.stop'));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setStopping(false);
    }
  };
  return (
    <section className={`support-banner ${status.state}`} aria-label="Remote support" data-testid="support-banner">
      <div className="support-banner-text">
        <p className="support-banner-title" role="status">
          <strong>Remote support is on.</strong> {stateWords(status, retryLeft)}
        </p>
        <p className="support-banner-facts">
          Since {sinceWords(session.since)} · <span data-testid="support-time-left">{timeLeftWords(left)} left</span>
          {session.viewers.length > 0 && <> · Connected now: {session.viewers.join(', ')}</>}
          {status.state === 'reconnecting' && session.problem && <> · {problemWords(session.problem)}</>}
        </p>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </div>
      <Button variant="danger" className="support-stop" onClick={() => void stop()} aria-disabled={stopping || undefined}>
        {stopping ? 'Stopping…' : 'Stop support'}
      </Button>
    </section>
  );
}
