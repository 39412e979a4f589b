import type { BootService } from '../services/boot/BootService.js';
import type { GpsService } from '../services/gps/GpsService.js';
import { HealthHistory } from '../services/health/HealthHistory.js';
import type { HealthService } from '../services/health/HealthService.js';
import { CrashRecorder } from '../services/logging/CrashRecorder.js';
import type { Logger } from '../services/logging/Logger.js';
import type { RecentLines } from '../services/logging/RecentLines.js';
import { UiLogWriter } from '../services/logging/UiLogWriter.js';
import type { BuildInfo } from '../services/system/buildInfo.js';

export interface Observability {
  healthHistory: HealthHistory;
  crashes: CrashRecorder;
  uiLog: UiLogWriter;
  /** Loads the history, starts keeping snapshots in it, and starts the GPS receiver. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Crash records, the health history and the UI's log entries, wired to the services they observe
 * (the same for every device profile; only the folders differ).
 */
export function createObservability(parts: {
  logger: Logger;
  recent: RecentLines;
  build: BuildInfo;
  boot: BootService;
  health: HealthService;
  gps: GpsService | undefined;
  crashesDir: string;
  historyFile: string;
}): Observability {
  const crashes = new CrashRecorder(parts.crashesDir, {
    version: parts.build.version,
    commit: parts.build.commit,
    bootId: () => parts.boot.status.current()?.bootId ?? '',
    recentLines: () => parts.recent.lines(),
    lastHealth: () => parts.health.snapshot.current(),
  });
  const healthHistory = new HealthHistory(parts.historyFile);
  const log = parts.logger.for('health');
  let unsubscribe: (() => void) | undefined;
  return {
    healthHistory,
    crashes,
    uiLog: new UiLogWriter(parts.logger, crashes, { recentLines: () => parts.recent.lines() }),
    async start() {
      await healthHistory.load();
      if (healthHistory.skipped > 0) log.warn('health history: skipped unreadable lines', { skipped: healthHistory.skipped });
      unsubscribe = parts.health.snapshot.subscribe((snapshot) => {
        healthHistory.offer(snapshot).catch((error: unknown) => log.warn('health history: could not keep a snapshot', { error: String(error) }));
      });
      await parts.gps?.start();
    },
    async stop() {
      unsubscribe?.();
      await parts.gps?.stop();
      await healthHistory.idle();
    },
  };
}
