import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import { SUPPORT_DEFAULT_MINUTES } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { Panel } from '../design/Panel.js';
import { lockProblem } from '../lock/lockProblem.js';
import { useLockStore } from '../lock/lockStore.js';
import { PinPad } from '../lock/PinPad.js';
import { useSupportStore } from './supportStore.js';
import { durationWords, endWords, problemWords, sinceWords, timeLeftWords } from './supportWords.js';
import { useNow } from './useNow.js';
import './support.css';

/** The lengths offered (minutes): the default first; 24 h is the most the headset allows. */
const DURATIONS = [30, SUPPORT_DEFAULT_MINUTES, 4 * 60, 24 * 60] as const;

/**
 * Settings, Remote support: what support can and cannot do, how long, Start (the PIN pad first when
 * the headset is locked), and while a session runs, who, since when, the time left and Stop.
 */
export function SupportScreen() {
  const client = useClient();
  const status = useSupportStore((s) => s.status);
  const at = useSupportStore((s) => s.at) ?? 0;
  const lock = useLockStore((s) => s.status);
  const [minutes, setMinutes] = useState<number>(SUPPORT_DEFAULT_MINUTES);
  const [askPin, setAskPin] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const running = !!status && status.state !== 'off' && !!status.session;
  const now = useNow(running);
  // Opening the screen leaves the focus where it was (the rail) and the screen at its top; coming
  // back to the start panel (a session ended, the PIN pad cancelled) puts the focus on Start.
  const startShown = useRef(false);
  useEffect(() => {
    if (status && !running && !askPin) startShown.current = true;
  });

  useEffect(() => {
    client.call('support.status').then(
      (s) => useSupportStore.getState().setStatus(s),
      () => undefined,
    );
    client.call('lock.status').then(
      (s) => useLockStore.getState().setStatus(s),
      () => undefined,
    );
  }, [client]);

  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      useSupportStore.getState().setStatus(await client.call('support.start', { durationMinutes: minutes }));
    } catch (e) {
      setError(startProblem(e));
    } finally {
      setBusy(false);
    }
  };
  const requestStart = () => {
    if (busy) return;
    if (lock && !lock.unlocked) setAskPin(true);
    else void start();
  };
  const unlockThenStart = async (pin: string) => {
    setBusy(true);
    setError(undefined);
    try {
      useLockStore.getState().setStatus(await client.call('lock.unlock', { pin }));
    } catch (e) {
      setError(lockProblem(e));
      setBusy(false);
      return;
    }
    setBusy(false);
    setAskPin(false);
    await start();
  };
  const stop = async () => {
    setBusy(true);
    try {
      useSupportStore.getState().setStatus(await client.call('support.stop'));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (askPin)
    return (
      <div className="lock-task">
        <PinPad
          title="Enter your PIN"
          hint="Letting support in needs the PIN."
          submitLabel={busy ? 'Checking…' : 'Unlock and start'}
          onSubmit={(pin) => void unlockThenStart(pin)}
          onCancel={() => {
            setAskPin(false);
            setError(undefined);
          }}
          blocked={busy}
          error={error}
        />
      </div>
    );

  if (!status) return <Panel title="Remote support">Loading…</Panel>;

  if (running) {
    const session = status.session!;
    const elapsed = Math.max(0, now - at);
    return (
      <div className="support">
        <h1>Remote support</h1>
        <Panel
          title={
            status.state === 'active' ? 'Support is connected' : status.state === 'connecting' ? 'Connecting to support' : 'Support connection lost'
          }
        >
          <dl className="support-facts">
            <dt>Who</dt>
            <dd>{session.who}</dd>
            <dt>Since</dt>
            <dd>{sinceWords(session.since)}</dd>
            <dt>Time left</dt>
            <dd>{timeLeftWords(Math.max(0, session.endsInMs - elapsed))}</dd>
            <dt>Connection</dt>
            <dd>
              {status.state === 'active' ? 'Connected' : status.state === 'connecting' ? 'Connecting…' : 'Lost, trying again'}
              {session.problem && status.state !== 'active' ? ` (${problemWords(session.problem)})` : ''}
            </dd>
            <dt>Looking now</dt>
            <dd>{session.viewers.length ? session.viewers.join(', ') : 'Nobody yet'}</dd>
            <dt>Files read</dt>
            <dd>{session.reads}</dd>
          </dl>
          <p>Support can only read. Everything it reads is written in the log (Logs &amp; Diagnostics, part "Remote support").</p>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <div className="actions">
            <Button variant="danger" onClick={() => void stop()} aria-disabled={busy || undefined} autoFocus>
              Stop support
            </Button>
          </div>
        </Panel>
      </div>
    );
  }

  return (
    <div className="support">
      <h1>Remote support</h1>
      <Panel title="Let support look at this headset">
        <p>Support can read, for the time you choose:</p>
        <ul className="support-list">
          <li>the headset's log and crash reports</li>
          <li>its health and update history</li>
          <li>its settings, without passwords or keys</li>
        </ul>
        <p>Support cannot change anything, cannot see anything else, and cannot see or hear what you do in the headset.</p>
        {!status.configured && (
          <p role="status" data-testid="support-not-configured">
            No support service is set up on this headset.
          </p>
        )}
        <fieldset className="support-durations">
          <legend>For how long</legend>
          {DURATIONS.map((d) => (
            <Button key={d} className="support-duration" aria-pressed={minutes === d} onClick={() => setMinutes(d)}>
              {durationWords(d)}
            </Button>
          ))}
        </fieldset>
        {status.lastEnded && (
          <p data-testid="support-last-ended">
            The last session ended at {sinceWords(status.lastEnded.at)}. {endWords(status.lastEnded.reason)}
          </p>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <Button
            variant="primary"
            onClick={() => status.configured && requestStart()}
            aria-disabled={busy || !status.configured || undefined}
            autoFocus={startShown.current}
          >
            {busy ? 'Starting…' : lock && !lock.unlocked ? 'Start support (needs PIN)' : 'Start support'}
          </Button>
        </div>
      </Panel>
    </div>
  );
}

function startProblem(error: unknown): string {
  if (error instanceof ApiError && error.code === 'FORBIDDEN') return 'The headset is locked: enter the PIN first.';
  return error instanceof Error ? error.message : String(error);
}
