import { join } from 'node:path';
import type { HealthSnapshot, StateSource } from '../../../src/api/contract.js';
import type { healthCalls, healthEvents } from '../../../src/api/contract/health.js';
import { errorMessage } from '../../../src/errorText.js';
import type { TrackFix } from '../../../src/tracks/geo.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import { GpsService } from '../gps/GpsService.js';
import type { GpsPosition, GpsReceiver } from '../gps/ports.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { HealthHistory } from './HealthHistory.js';
import { HealthService } from './HealthService.js';
import type { BatterySensor, TemperatureSensor } from './ports.js';

export interface HealthNeeds {
  sensors: { temperature: TemperatureSensor; battery: BatterySensor; gps: GpsReceiver };
  /** Where the sampler keeps what it measures between snapshots. */
  healthDir: string;
  stateDir: string;
  intervalMs?: number;
  log: SubsystemLogger;
  gpsLog: SubsystemLogger;
}

/** The health the other capabilities observe: the live snapshot, a fresh sample, the GPS's last fix. */
export interface HealthReader {
  readonly snapshot: StateSource<HealthSnapshot>;
  sample(): Promise<HealthSnapshot>;
  latestFix(): { position: GpsPosition; at: number } | null;
  /** Every GPS fix as it comes (precise: for capabilities that keep location on the headset). */
  onFixes(listener: (fixes: TrackFix[]) => void): () => void;
}

/**
 * CPU, temperature, memory, storage, battery and GPS (health.snapshot, health.changed), one
 * snapshot a minute kept for 7 days (health.history).
 */
export function healthCapability(needs: HealthNeeds): Capability<HealthReader> {
  const gps = new GpsService(needs.sensors.gps, { stateFile: join(needs.stateDir, 'gps.json'), log: needs.gpsLog });
  const health = new HealthService(needs.sensors.temperature, needs.healthDir, needs.intervalMs, { battery: needs.sensors.battery, gps });
  const history = new HealthHistory(join(needs.stateDir, 'health-history.jsonl'));
  let unsubscribe: (() => void) | undefined;
  const handlers: HandlersOf<typeof healthCalls> = {
    'health.snapshot': () => health.snapshot.current() ?? health.sample(),
    'health.history': (query) => history.query(query),
  };
  const events: EventsOf<typeof healthEvents> = { 'health.changed': health.snapshot };
  return {
    provides: {
      snapshot: health.snapshot,
      sample: () => health.sample(),
      latestFix: () => gps.latestFix(),
      onFixes: (listener) => gps.onFixes(listener),
    },
    handlers,
    events,
    async start() {
      await history.load();
      if (history.skipped > 0) needs.log.warn('health history: skipped unreadable lines', { skipped: history.skipped });
      unsubscribe = health.snapshot.subscribe((snapshot) => {
        history
          .offer(snapshot)
          .catch((error: unknown) => needs.log.warn('health history: could not keep a snapshot', { error: errorMessage(error) }));
      });
      await gps.start();
      await health.start();
    },
    async stop() {
      health.stop();
      unsubscribe?.();
      await gps.stop();
      await history.idle();
    },
  };
}
