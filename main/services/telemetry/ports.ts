import type { OtlpLogRecord, OtlpMetric } from '../../../src/telemetry/otlpJson.js';

/** Categories of the privacy policy (see src/telemetry/ and docs/privacy.md). */
export type TelemetryCategory = 'essential' | 'performance' | 'hardware' | 'usage' | 'errors' | 'location';

/**
 * Priorities of the outbox: `critical` (crash, fatal, deletion requests) is fsynced at once and
 * never dropped; `debug` goes first when the outbox is full, then `bulk`, then `normal`.
 * `bulk` waits for an unmetered network.
 */
export type OutboxPriority = 'critical' | 'normal' | 'bulk' | 'debug';

export type OutboxPayload = { signal: 'logs'; record: OtlpLogRecord } | { signal: 'metrics'; metric: OtlpMetric };

export interface OutboxStats {
  /** Records waiting, per priority. */
  queued: Record<OutboxPriority, number>;
  queuedBytes: number;
  limitBytes: number;
  /** Records dropped to stay within the bound, corrupt records skipped. */
  dropped: number;
  corruptSkipped: number;
  delivered: number;
  lastDeliveryAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
  /** Why nothing is being sent right now, if so. */
  waitingFor: 'network' | 'unmetered-network' | 'retry' | null;
}

/**
 * The durable outbox as the producers see it (telemetry, log forwarding, crash records). What
 * is enqueued is already anonymized: nothing after this point looks inside a record.
 */
export interface TelemetryOutbox {
  /** `expiresAt`: the end of the record's retention; past it the record is never sent. */
  enqueue(category: TelemetryCategory, priority: OutboxPriority, payload: OutboxPayload, options?: { expiresAt?: Date }): Promise<void>;
  /** Removes everything queued of a category (consent withdrawn); returns how many records. */
  purgeCategory(category: TelemetryCategory): Promise<number>;
  /** Removes every queued record past its expiry; returns how many records. */
  purgeExpired(): Promise<number>;
  /** The pseudonyms queued records carry: their weeks' signing keys must outlive a key reset. */
  queuedPseudonyms(): Promise<Set<string>>;
  stats(): OutboxStats;
}
