import { useCallback, useEffect, useRef, useState } from 'react';
import { useEscape } from '../design/focus.js';
import { useBootStore } from '../boot/bootStore.js';
import { useAction } from './useAction.js';

/**
 * Going back to a kept older version, in two explicit steps like useRollback: ask (which version),
 * then confirm (update.rollback { version }: check, reinstall, restart). Escape cancels and puts
 * focus back on that version's button; so does a failure. `going` lasts from the confirmation until
 * the headset has booted again.
 */
export function useKeptRollback() {
  const { busy, error, run, clearError } = useAction();
  const bootId = useBootStore((s) => s.status?.bootId);
  const [asking, setAsking] = useState<string>();
  const [started, setStarted] = useState<{ version: string; bootId: string | undefined; installed: boolean }>();
  const [failed, setFailed] = useState<string>();
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const refocus = useRef<string>(undefined);

  const ask = useCallback(
    (version: string) => {
      clearError();
      setFailed(undefined);
      setAsking(version);
    },
    [clearError],
  );
  const cancel = useCallback(() => {
    setAsking((version) => {
      refocus.current = version;
      return undefined;
    });
  }, []);
  useEscape(asking !== undefined && !busy, cancel);
  useEffect(() => {
    if (asking === undefined && refocus.current && !busy) {
      buttons.current.get(refocus.current)?.focus();
      refocus.current = undefined;
    }
  }, [asking, busy]);

  const confirm = useCallback(async () => {
    const version = asking;
    if (version === undefined) return;
    setStarted({ version, bootId, installed: false });
    setAsking(undefined);
    const ok = await run('rollback', (client) => client.call('update.rollback', { version }));
    // The call returns once the version is reinstalled; the restart follows.
    if (ok) setStarted((s) => s && { ...s, installed: true });
    else {
      setStarted(undefined);
      setFailed(version);
      refocus.current = version;
    }
  }, [asking, bootId, run]);

  /** The version being gone back to, until the headset has restarted. */
  const going = started && started.bootId === bootId ? started.version : undefined;
  const installed = going !== undefined && started?.installed === true;
  // One callback ref per version for the life of the hook: a new one each render would make React
  // detach and re-attach every button of the list on every render.
  const refs = useRef(new Map<string, (element: HTMLButtonElement | null) => void>());
  const buttonRef = useCallback((version: string) => {
    let ref = refs.current.get(version);
    if (!ref) {
      ref = (element: HTMLButtonElement | null) => {
        if (element) buttons.current.set(version, element);
        else buttons.current.delete(version);
      };
      refs.current.set(version, ref);
    }
    return ref;
  }, []);
  return {
    asking,
    going,
    installed,
    calling: busy !== undefined,
    error: failed !== undefined ? error : undefined,
    failedVersion: failed,
    ask,
    cancel,
    confirm,
    buttonRef,
  };
}
