import { useCallback, useEffect, useRef, useState } from 'react';
import { useEscape } from '../design/focus.js';
import { useBootStore } from '../boot/bootStore.js';
import { useAction } from './useAction.js';

/**
 * Going back to the other slot, in two explicit steps: ask (shows the consequences and a second
 * button), then confirm (calls update.rollback, which restarts). Escape cancels the question and
 * puts focus back on the first button. "Restarting" lasts until the headset has booted again.
 */
export function useRollback() {
  const { busy, error, run } = useAction();
  const bootId = useBootStore((s) => s.status?.bootId);
  const [confirming, setConfirming] = useState(false);
  const [restartingFrom, setRestartingFrom] = useState<string>();
  const askRef = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);

  const ask = useCallback(() => setConfirming(true), []);
  const cancel = useCallback(() => {
    refocus.current = true;
    setConfirming(false);
  }, []);
  useEscape(confirming && !busy, cancel);
  useEffect(() => {
    if (!confirming && refocus.current) {
      refocus.current = false;
      askRef.current?.focus();
    }
  }, [confirming]);

  const confirm = useCallback(async () => {
    setRestartingFrom(bootId);
    const ok = await run('rollback', (client) => client.call('update.rollback'));
    if (!ok) setRestartingFrom(undefined);
    setConfirming(false);
  }, [bootId, run]);

  const restarting = restartingFrom !== undefined && restartingFrom === bootId;
  return { confirming, restarting, busy: busy !== undefined, error, ask, cancel, confirm, askRef };
}
