import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../../../src/api/client.js';
import { useClient } from '../api/clientContext.js';
import { lockProblem } from '../lock/lockProblem.js';
import { useLockStore } from '../lock/lockStore.js';
import { PinPad } from '../lock/PinPad.js';
import { ThreeKeyEntry } from '../design/ThreeKeyEntry.js';
import { PIN_MAX_DIGITS, PIN_MIN_DIGITS } from '../../../src/lock/pinRules.js';

type Change = () => Promise<void>;
interface Pending {
  change: Change;
  onError(error: unknown): void;
}

export interface UnlockGate {
  /**
   * Runs a change; when the headset is locked (known, or answered FORBIDDEN) the PIN pad comes first,
   * then the change. Any other failure goes to `onError`.
   */
  run(change: Change, onError: (error: unknown) => void): Promise<void>;
  /** The PIN pad while it is asked for, else null: the screen shows it instead of its content (kept, hidden). */
  pad: ReactNode;
  locked: boolean;
}

/**
 * Network changes are `unlocked` calls: a locked headset asks for the PIN first (the lock's own pad),
 * then makes the change the wearer chose. The change waits in a closure (never in a store) and is
 * dropped on Cancel; the control that asked gets the focus back. With `threeKeys` (the recovery
 * kiosk: Up, Down, Enter only) the PIN is entered on the three-key wheel instead of the pad.
 */
export function useUnlockGate(hint: string, options: { threeKeys?: boolean } = {}): UnlockGate {
  const client = useClient();
  const lock = useLockStore((s) => s.status);
  const [pending, setPending] = useState<Pending>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const returnTo = useRef<HTMLElement | null>(null);
  const locked = !!lock && !lock.unlocked;

  useEffect(() => {
    client.call('lock.status').then(
      (s) => useLockStore.getState().setStatus(s),
      () => undefined,
    );
  }, [client]);

  const ask = useCallback((next: Pending) => {
    returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setError(undefined);
    setPending(next);
  }, []);

  const run = useCallback(
    async (change: Change, onError: (error: unknown) => void) => {
      if (locked) return ask({ change, onError });
      try {
        await change();
      } catch (e) {
        // The session ended since lock.status was read: the same change, after the PIN.
        if (e instanceof ApiError && e.code === 'FORBIDDEN') {
          client.call('lock.status').then(
            (s) => useLockStore.getState().setStatus(s),
            () => undefined,
          );
          ask({ change, onError });
        } else onError(e);
      }
    },
    [ask, client, locked],
  );

  const close = () => {
    setPending(undefined);
    setError(undefined);
    const back = returnTo.current;
    returnTo.current = null;
    // After the pad goes, the content shows again: focus goes back to what asked.
    requestAnimationFrame(() => back?.isConnected && back.focus());
  };

  const unlockThenRun = async (pin: string) => {
    if (!pending) return;
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
    const { change, onError } = pending;
    close();
    await change().catch(onError);
  };

  const pad = pending ? (
    options.threeKeys ? (
      <ThreeKeyEntry
        label="Enter your PIN"
        hint={hint}
        alphabet="digits"
        secret
        minLength={PIN_MIN_DIGITS}
        maxLength={PIN_MAX_DIGITS}
        doneLabel="Unlock"
        onDone={(pin) => void unlockThenRun(pin)}
        onCancel={close}
        busy={busy}
        error={error}
        testId="unlock-pin"
      />
    ) : (
      <div className="lock-task">
        <PinPad
          title="Enter your PIN"
          hint={hint}
          submitLabel={busy ? 'Checking…' : 'Unlock'}
          onSubmit={(pin) => void unlockThenRun(pin)}
          onCancel={close}
          blocked={busy}
          error={error}
        />
      </div>
    )
  ) : null;

  return { run, pad, locked };
}
