import { useEffect, useRef, useState } from 'react';
import { useReconnectStore } from '../api/reconnectStore.js';
import { Button } from '../design/Button.js';
import { ARROW_KEYS, focusableIn, moveFocus } from '../design/spatialNavigation.js';
import './connection.css';

/** Failed attempts after which the banner says that a restart can take a while. */
const SLOW_AFTER_FAILURES = 3;

/**
 * Shown over every screen while the page is not connected to headsetd: what happened, what is being
 * done (trying, or when the next try comes), and Retry, which takes the focus. The screen behind
 * stays as it was (inert until the connection is back); the keys act on the banner only: arrows
 * move between its controls, Enter presses, Escape brings the focus back to Retry.
 */
export function ConnectionBanner({ reason }: { reason: string }) {
  const { phase, retry } = useReconnectStore();
  const banner = useRef<HTMLDivElement>(null);
  const retryButton = useRef<HTMLButtonElement>(null);
  const now = useNow(phase.status === 'waiting' ? 250 : undefined);

  useEffect(() => {
    // Where the wearer was: back there when the connection returns, if it is still on the screen.
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    retryButton.current?.focus();
    return () => {
      if (previous?.isConnected && previous !== document.body) previous.focus();
    };
  }, []);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const root = banner.current;
      if (!root) return;
      const direction = ARROW_KEYS[event.key];
      if (direction) moveFocus(root, direction);
      else if (event.key === 'Escape' || (event.key === 'Tab' && !root.contains(document.activeElement))) retryButton.current?.focus();
      else if (event.key === 'Tab') cycleFocus(root, event.shiftKey);
      else return;
      // The screen behind must not act on these (its Escape would leave the current screen).
      event.preventDefault();
      event.stopImmediatePropagation();
    };
    window.addEventListener('keydown', onKeyDown, { capture: true });
    return () => window.removeEventListener('keydown', onKeyDown, { capture: true });
  }, []);

  const trying = phase.status === 'connecting';
  const failures = phase.status === 'waiting' ? phase.failures : phase.status === 'connecting' ? phase.attempt - 1 : 0;
  const seconds = phase.status === 'waiting' ? Math.max(1, Math.ceil((phase.retryAt - now) / 1000)) : 0;
  return (
    <>
      <div
        ref={banner}
        className="connection-banner"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="connection-banner-title"
        aria-describedby="connection-banner-reason"
        data-testid="connection-banner"
        data-retry-at={phase.status === 'waiting' ? phase.retryAt : undefined}
      >
        <div className="connection-banner-text">
          <h1 id="connection-banner-title">Not connected to the headset</h1>
          <p id="connection-banner-reason">{phase.status === 'waiting' ? phase.reason : reason}</p>
          <p id="connection-banner-next" className="connection-banner-next" data-testid="connection-banner-next">
            {trying ? 'Reconnecting now…' : `Reconnecting by itself in ${seconds} s.`}
            {failures >= SLOW_AFTER_FAILURES && ' After a restart this can take a minute.'}
          </p>
        </div>
        <Button ref={retryButton} variant="primary" className="connection-banner-retry" onClick={retry} aria-describedby="connection-banner-next">
          Retry
        </Button>
      </div>
      <div className="connection-scrim" aria-hidden="true" />
    </>
  );
}

/** The time, again every `everyMs` while given (for the countdown). */
function useNow(everyMs: number | undefined): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNow(Date.now());
    if (everyMs === undefined) return;
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Tab stays in the banner: the screen behind cannot be used until the connection is back. */
function cycleFocus(root: HTMLElement, backwards: boolean): void {
  const controls = focusableIn(root);
  if (controls.length === 0) return;
  const at = controls.indexOf(document.activeElement as HTMLElement);
  const next = (at + (backwards ? -1 : 1) + controls.length) % controls.length;
  controls[next]!.focus();
}
