import { join } from 'node:path';
import type { AlertsState, StateSource } from '../../../src/api/contract.js';
import type { alertsCalls, alertsEvents } from '../../../src/api/contract/alerts.js';
import type { AlertThresholds } from '../../../src/alerts/thresholds.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { AlertsService } from './AlertsService.js';
import type { AlertSources } from './ports.js';

export interface AlertsNeeds extends AlertSources {
  /** The device profile's thresholds. */
  thresholds: AlertThresholds;
  stateDir: string;
  log: SubsystemLogger;
  crashPollMs?: number;
}

/**
 * Device conditions the wearer must know about (alerts.list, alerts.dismiss, alerts.changed,
 * alerts.thresholds):
 * heat, battery, storage, crash loops and update news, decided from the capabilities before it.
 */
export function alertsCapability(needs: AlertsNeeds): Capability<{ alerts: StateSource<AlertsState> }> {
  const service = new AlertsService(needs, {
    thresholds: needs.thresholds,
    dismissalsFile: join(needs.stateDir, 'alerts-dismissed.json'),
    log: needs.log,
    crashPollMs: needs.crashPollMs,
  });
  const handlers: HandlersOf<typeof alertsCalls> = {
    'alerts.list': () => service.state.current()!,
    'alerts.thresholds': () => needs.thresholds,
    'alerts.dismiss': ({ id }) => service.dismiss(id),
  };
  const events: EventsOf<typeof alertsEvents> = { 'alerts.changed': service.state };
  return {
    provides: { alerts: service.state },
    handlers,
    events,
    start: () => service.start(),
    stop: () => service.stop(),
  };
}
