import type { Clock } from '../clock.js';
import type { Database } from '../db/Database.js';
import { KEEP_AFTER_EXPIRY_MS } from '../devices/challenges.js';
import { addDays, dayOf, type DayPartitions } from '../telemetry/partitions.js';

/**
 * Everything expired, gone: challenges, nonces, sessions, throttle counters, remembered telemetry
 * signatures, telemetry rows past their own retention, and whole day partitions past the server's.
 * The requests purge a little as they go (a device's nonces on its next request, sessions at a
 * login); this bounds the tables when traffic stops. It also makes the coming days' partitions, so
 * the first export of a day costs no DDL. Safe to run from several processes at once.
 */

export interface PurgeReport {
  challenges: number;
  nonces: number;
  sessions: number;
  throttleCounters: number;
  telemetrySignatures: number;
  pseudonymKeys: number;
  logRecords: number;
  metricPoints: number;
  /** Days whose partitions were dropped. */
  droppedDays: string[];
}

/** Days of partitions made ahead (today's included). */
const DAYS_AHEAD = 3;

export async function purgeExpired(db: Database, clock: Clock, partitions: DayPartitions, retentionDays: number): Promise<PurgeReport> {
  const now = clock.now();
  const today = dayOf(now);
  const firstKeptDay = addDays(today, -retentionDays);
  const deleted = async (sql: string, params: unknown[]) => (await db.query(sql, params)).rowCount;
  const report: PurgeReport = {
    challenges: await deleted('DELETE FROM registration_challenges WHERE expires_at < $1', [new Date(now.getTime() - KEEP_AFTER_EXPIRY_MS)]),
    nonces: await deleted('DELETE FROM request_nonces WHERE expires_at < $1', [now]),
    sessions: await deleted('DELETE FROM operator_sessions WHERE expires_at < $1', [now]),
    throttleCounters: await deleted('DELETE FROM throttle_counters WHERE expires_at < $1', [now]),
    telemetrySignatures: await deleted('DELETE FROM telemetry_signatures WHERE expires_at < $1', [now]),
    // A pseudonym's key is needed while its data may be asked to be deleted: as long as it is kept.
    pseudonymKeys: await deleted('DELETE FROM telemetry_pseudonym_keys WHERE first_seen_at < $1', [new Date(`${firstKeptDay}T00:00:00Z`)]),
    // Rows of metrics kept for less than the server's retention (each metric's own, from the registry).
    logRecords: await deleted('DELETE FROM telemetry_logs WHERE expires_on < $1', [today]),
    metricPoints: await deleted('DELETE FROM telemetry_metric_points WHERE expires_on < $1', [today]),
    droppedDays: await partitions.dropBefore(firstKeptDay),
  };
  await partitions.ensure(Array.from({ length: DAYS_AHEAD }, (_, i) => addDays(today, i)));
  return report;
}

export interface PeriodicPurge {
  stop(): Promise<void>;
}

/**
 * Runs purgeExpired now and every `everyMs` (default 10 minutes) until stopped; a failed run (the
 * database away) is reported and retried at the next turn. The timer does not keep the process alive.
 */
export function startPeriodicPurge(options: {
  db: Database;
  clock: Clock;
  partitions: DayPartitions;
  retentionDays: number;
  everyMs?: number;
  onReport?: (report: PurgeReport) => void;
  onError?: (error: unknown) => void;
}): PeriodicPurge {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = () => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        options.onReport?.(await purgeExpired(options.db, options.clock, options.partitions, options.retentionDays));
      } catch (error) {
        options.onError?.(error);
      }
    });
  };
  run();
  const timer = setInterval(run, options.everyMs ?? 10 * 60_000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
