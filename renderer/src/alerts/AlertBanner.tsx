import { useEffect, useId, useRef, useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import type { Alert, AlertActionKind } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { AlertIcon } from './AlertIcon.js';
import { alertKey, criticalToFocus, useAlertsStore } from './alertsStore.js';
import './alerts.css';

/** The screens an alert's action may open (the settings shell's ids). */
export type AlertScreen = 'updates' | 'logs';
const SCREEN_OF: Partial<Record<AlertActionKind, AlertScreen>> = { 'open-updates': 'updates', 'open-logs': 'logs' };
/** The screen that offers the action itself: there, the banner leaves it to the screen. */
const OFFERED_ON: Record<AlertActionKind, AlertScreen> = { 'restart-update': 'updates', 'open-updates': 'updates', 'open-logs': 'logs' };

export interface AlertBannerProps {
  /** Opens a screen; without it (setup, recovery) the alerts that only open a screen show no button. */
  onOpen?: (screen: AlertScreen) => void;
  /** The screen showing: an action it offers itself (or opening it) is left out. */
  current?: string;
  /** false: no action that calls the headset (the recovery kiosk has its own restart). */
  calls?: boolean;
}

/**
 * The alerts headsetd shows, on top of every screen: most severe first, in plain words, with the
 * action that helps. A critical alert takes the focus once when it is raised (not on every push,
 * nor again on another screen), so a controller user reads it and acts with Enter.
 */
export function AlertBanner({ onOpen, current, calls = true }: AlertBannerProps) {
  const alerts = useAlertsStore((s) => s.alerts);
  const focused = useAlertsStore((s) => s.focused);
  const markFocused = useAlertsStore((s) => s.markFocused);
  const items = useRef(new Map<string, HTMLElement>());
  useEffect(() => {
    const next = criticalToFocus(alerts, focused);
    const element = next && items.current.get(alertKey(next));
    if (!next || !element) return;
    markFocused(alertKey(next));
    (element.querySelector<HTMLElement>('button:not([disabled])') ?? element).focus();
  }, [alerts, focused, markFocused]);
  if (alerts.length === 0) return null;
  const critical = alerts.some((a) => a.severity === 'critical');
  return (
    <section className="alert-banner" aria-label="Alerts" data-testid="alert-banner">
      {/* Read out once per raise: the titles, not the readings that change every few seconds. */}
      <p className="sr-only" aria-live={critical ? 'assertive' : 'polite'}>
        {alerts.map((a) => a.title).join('. ')}
      </p>
      {alerts.map((alert) => (
        <AlertItem
          key={alertKey(alert)}
          alert={alert}
          onOpen={onOpen}
          current={current}
          calls={calls}
          register={(element) => {
            if (element) items.current.set(alertKey(alert), element);
            else items.current.delete(alertKey(alert));
          }}
        />
      ))}
    </section>
  );
}

/** Moves the focus to the first alert shown (the side menu's badge leads there). */
export function focusFirstAlert(): void {
  const first = document.querySelector<HTMLElement>('.alert-banner .alert');
  (first?.querySelector<HTMLElement>('button:not([disabled])') ?? first)?.focus();
}

function AlertItem({
  alert,
  onOpen,
  current,
  calls,
  register,
}: AlertBannerProps & { alert: Alert; register: (element: HTMLElement | null) => void }) {
  const client = useClient();
  const titleId = useId();
  const [busy, setBusy] = useState<'restart' | 'dismiss'>();
  const [problem, setProblem] = useState<string>();
  const run = async (what: 'restart' | 'dismiss', action: () => Promise<unknown>) => {
    setBusy(what);
    setProblem(undefined);
    try {
      await action();
      // A restart leaves the button busy until the headset goes down.
      if (what === 'dismiss') setBusy(undefined);
    } catch (error) {
      setBusy(undefined);
      setProblem(error instanceof ApiError || error instanceof Error ? error.message : String(error));
    }
  };
  const action = alert.action;
  const screen = action ? SCREEN_OF[action.kind] : undefined;
  const showAction =
    action && OFFERED_ON[action.kind] !== current && (action.kind === 'restart-update' ? calls : screen !== undefined && onOpen !== undefined);
  return (
    <div
      ref={register}
      className={`alert ${alert.severity} focus-ring`}
      role="group"
      aria-labelledby={titleId}
      tabIndex={-1}
      data-testid={`alert-${alert.id}`}
      data-severity={alert.severity}
    >
      <AlertIcon severity={alert.severity} />
      <div className="alert-text">
        <strong className="alert-title" id={titleId}>
          {alert.title}
        </strong>
        <span className="alert-message">{alert.message}</span>
        {problem && (
          <span className="alert-problem" role="alert">
            {problem}
          </span>
        )}
      </div>
      {(showAction || alert.dismissible) && (
        <div className="alert-actions">
          {showAction && action.kind === 'restart-update' && (
            <Button
              variant="primary"
              aria-disabled={busy !== undefined}
              onClick={() => busy === undefined && void run('restart', () => client.call('update.restart'))}
            >
              {busy === 'restart' ? 'Restarting…' : action.label}
            </Button>
          )}
          {showAction && screen && (
            <Button variant={alert.severity === 'info' ? 'default' : 'primary'} onClick={() => onOpen?.(screen)}>
              {action.label}
            </Button>
          )}
          {alert.dismissible && (
            <Button
              aria-label={`Dismiss: ${alert.title}`}
              aria-disabled={busy !== undefined}
              onClick={() => busy === undefined && void run('dismiss', () => client.call('alerts.dismiss', { id: alert.id }))}
            >
              Dismiss
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
