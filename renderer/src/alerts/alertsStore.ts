import { create } from 'zustand';
import type { AlertThresholds } from '../../../src/alerts/thresholds.js';
import type { Alert } from '../../../src/api/contract.js';

/** The alerts headsetd shows (`alerts.changed`), its thresholds, and which critical raises already took the focus. */
export interface AlertsStoreState {
  alerts: Alert[];
  /** This headset's thresholds (`alerts.thresholds`): the meters on Home colour where the alerts are raised. */
  thresholds?: AlertThresholds;
  /** Raises (`alertKey`) that took the focus once: a push of the same raise, or another screen, does not take it again. */
  focused: ReadonlySet<string>;
  markFocused(key: string): void;
}

export const useAlertsStore = create<AlertsStoreState>((set) => ({
  alerts: [],
  focused: new Set(),
  markFocused: (key) => set((state) => ({ focused: new Set(state.focused).add(key) })),
}));

/** One raise of one alert: a condition that clears and comes back is a new raise. */
export function alertKey(alert: Pick<Alert, 'id' | 'since'>): string {
  return `${alert.id}@${alert.since}`;
}

/** The first critical raise that has not had the focus yet. */
export function criticalToFocus(alerts: readonly Alert[], focused: ReadonlySet<string>): Alert | undefined {
  return alerts.find((alert) => alert.severity === 'critical' && !focused.has(alertKey(alert)));
}
