import { useCallback, useEffect, useRef, useState } from 'react';
import type { LockStatus } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { formatDuration } from '../design/format.js';
import { Panel } from '../design/Panel.js';
import { lockProblem } from './lockProblem.js';
import { useLockStore } from './lockStore.js';
import { NewPinEntry } from './NewPinEntry.js';
import { PinPad } from './PinPad.js';
import { useWaitLeft } from './useWaitLeft.js';
import './lock.css';

type Task = 'set' | 'unlock' | 'change-current' | 'change-new' | 'remove';

/**
 * Settings, Lock: set, change or remove the PIN, unlock this screen or lock it now. Each task is a
 * PIN pad; Escape or Cancel goes back to the overview. The current PIN of a change is held only
 * until the new one is typed.
 */
export function LockScreen() {
  const client = useClient();
  const status = useLockStore((s) => s.status);
  const state = useLockStore((s) => s.state);
  const [task, setTask] = useState<Task>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const currentPin = useRef<string | undefined>(undefined);
  const waitLeft = useWaitLeft(state?.waitUntil);

  useEffect(() => {
    // How this connection sees the lock now (a session may have ended while the screen was away).
    client.call('lock.status').then(
      (s) => useLockStore.getState().setStatus(s),
      () => undefined,
    );
  }, [client]);

  const open = useCallback((next: Task | undefined) => {
    setTask(next);
    setError(undefined);
    if (next !== undefined) setDone(undefined);
    if (next !== 'change-new') currentPin.current = undefined;
  }, []);

  /** Runs a lock call; on success shows `message` (if any) on the overview, on failure goes to `retry` (or the overview) with the error. */
  const run = async (call: () => Promise<LockStatus>, message: string | undefined, retry: Task | undefined) => {
    setBusy(true);
    setError(undefined);
    try {
      useLockStore.getState().setStatus(await call());
      open(undefined);
      setDone(message);
    } catch (e) {
      setTask(retry);
      setError(lockProblem(e));
    } finally {
      setBusy(false);
    }
  };

  const waitHint = waitLeft > 0 ? `Too many wrong PINs. Try again in ${formatDuration(waitLeft / 1000)}.` : undefined;
  const blocked = busy || waitLeft > 0;
  const back = () => open(undefined);

  if (task === 'set')
    return (
      <div className="lock-task">
        <NewPinEntry
          title="Set a PIN"
          onDone={(pin) => void run(() => client.call('lock.set', { pin }), 'PIN set. This screen is unlocked.', 'set')}
          onCancel={back}
          blocked={busy}
          error={error}
        />
      </div>
    );
  if (task === 'unlock')
    return (
      <div className="lock-task">
        <PinPad
          title="Enter your PIN"
          hint={waitHint ?? 'To unlock network, reset and support changes on this screen.'}
          submitLabel={busy ? 'Checking…' : 'Unlock'}
          onSubmit={(pin) => void run(() => client.call('lock.unlock', { pin }), undefined, 'unlock')}
          onCancel={back}
          blocked={blocked}
          error={error}
        />
      </div>
    );
  if (task === 'change-current')
    return (
      <div className="lock-task">
        <PinPad
          title="Enter your current PIN"
          hint={waitHint ?? 'Then choose the new one.'}
          submitLabel="Next"
          onSubmit={(pin) => {
            currentPin.current = pin;
            setError(undefined);
            setTask('change-new');
          }}
          onCancel={back}
          blocked={blocked}
          error={error}
        />
      </div>
    );
  if (task === 'change-new')
    return (
      <div className="lock-task">
        <NewPinEntry
          title="Choose the new PIN"
          onDone={(newPin) => {
            const oldPin = currentPin.current;
            currentPin.current = undefined;
            void run(() => client.call('lock.change', { oldPin, newPin }), 'PIN changed.', 'change-current');
          }}
          onCancel={back}
          blocked={busy}
          error={error}
        />
      </div>
    );
  if (task === 'remove')
    return (
      <div className="lock-task">
        <PinPad
          title="Enter your PIN to remove it"
          hint={waitHint ?? 'Without a PIN, anyone wearing the headset can change its network, reset it or let support in.'}
          submitLabel={busy ? 'Checking…' : 'Remove PIN'}
          onSubmit={(pin) => void run(() => client.call('lock.remove', { pin }), 'PIN removed.', 'remove')}
          onCancel={back}
          blocked={blocked}
          error={error}
        />
      </div>
    );

  return (
    <LockOverview
      status={status}
      waitHint={waitHint}
      done={done}
      error={error}
      busy={busy}
      onTask={open}
      onLock={() => void run(() => client.call('lock.lock'), undefined, undefined)}
    />
  );
}

function LockOverview({
  status,
  waitHint,
  done,
  error,
  busy,
  onTask,
  onLock,
}: {
  status: LockStatus | undefined;
  waitHint: string | undefined;
  done: string | undefined;
  error: string | undefined;
  busy: boolean;
  onTask(task: Task): void;
  onLock(): void;
}) {
  if (!status) return <Panel title="Lock">Loading…</Panel>;
  return (
    <div className="lock">
      <Panel title="Lock" className="lock-overview">
        {status.pin === 'unreadable' ? (
          <p role="alert" className="error" data-testid="lock-state">
            The lock file cannot be read, so the headset stays locked. A factory reset clears it.
          </p>
        ) : status.pin === 'none' ? (
          <p data-testid="lock-state">No PIN is set. Anyone wearing the headset can change its network, reset it or let support in.</p>
        ) : status.unlocked ? (
          <p data-testid="lock-state">
            <strong>Unlocked</strong> on this screen. It locks again after {status.idleMinutes} minutes without a protected change.
          </p>
        ) : (
          <p data-testid="lock-state">
            <strong>Locked.</strong> Network changes, reset and support access need the PIN.
          </p>
        )}
        {done && (
          <p role="status" className="lock-done">
            {done}
          </p>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {waitHint && (
          <p role="status" className="lock-wait">
            {waitHint}
          </p>
        )}
        <div className="actions">
          {status.pin === 'none' && (
            <Button variant="primary" onClick={() => onTask('set')} autoFocus>
              Set a PIN
            </Button>
          )}
          {status.pin === 'set' && !status.unlocked && (
            <Button variant="primary" onClick={() => onTask('unlock')} autoFocus>
              Unlock
            </Button>
          )}
          {status.pin === 'set' && status.unlocked && (
            <Button aria-disabled={busy || undefined} onClick={() => !busy && onLock()} autoFocus>
              Lock now
            </Button>
          )}
          {status.pin === 'set' && <Button onClick={() => onTask('change-current')}>Change PIN</Button>}
          {status.pin === 'set' && (
            <Button variant="danger" onClick={() => onTask('remove')}>
              Remove PIN
            </Button>
          )}
        </div>
      </Panel>
    </div>
  );
}
