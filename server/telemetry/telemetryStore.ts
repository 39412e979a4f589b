import { DELETION_REQUEST_EVENT } from '../../src/fleet/telemetryApi.js';
import { TELEMETRY_CATEGORIES } from '../../src/telemetry/categories.js';
import { appendAudit } from '../audit.js';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/Database.js';
import type { LogRow, PointRow } from './otlpRecords.js';
import { isMissingPartition, type DayPartitions } from './partitions.js';
import { rememberSignature, type TelemetrySignature } from './telemetrySignature.js';

/**
 * Stores an export's rows, once: the signature is remembered, each row is inserted unless its uid
 * (log records) or series-and-time id (metric points) is already there, and the pseudonyms are
 * bound to the signing key the first time they are seen. All in one transaction, so an export that
 * failed is wholly absent and its resend counts as new. Deletion requests stored for the first time
 * are then carried out in the same transaction and logged in audit_log.
 */

export interface StoreResult {
  /** Rows new to the database (the rest were already there: resends). */
  inserted: number;
  duplicates: number;
  deletions: DeletionOutcome[];
}

export interface DeletionOutcome {
  pseudonym: string;
  category: string;
  applied: boolean;
  logRecordsDeleted: number;
  metricPointsDeleted: number;
}

const LOG_COLUMNS = `day date, uid uuid, time timestamptz, expires_on date, pseudonym text, category text, event_name text,
  severity smallint, body text, attributes jsonb, service_version text`;
const POINT_COLUMNS = `day date, point_id text, time timestamptz, expires_on date, pseudonym text, category text, name text, unit text,
  kind text, value double precision, attributes jsonb, service_version text`;

export class TelemetryStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly partitions: DayPartitions,
  ) {}

  storeLogs(signature: TelemetrySignature, rows: LogRow[]): Promise<StoreResult> {
    return this.store(signature, rows, async (tx, receivedAt) => {
      // One row back, not one per record: the count, and the deletion requests among the new rows.
      const { inserted, requests } = (
        await tx.query<{ inserted: number; requests: { pseudonym: string; category: unknown }[] | null }>(
          `WITH new_rows AS (
             INSERT INTO telemetry_logs (day, uid, time, received_at, expires_on, pseudonym, category, event_name, severity, body, attributes, service_version)
             SELECT day, uid, time, $2, expires_on, pseudonym, category, event_name, severity, body, attributes, service_version
             FROM json_to_recordset($1::json) AS r(${LOG_COLUMNS})
             ON CONFLICT DO NOTHING
             RETURNING pseudonym, event_name, attributes)
           SELECT count(*)::int AS inserted,
             json_agg(json_build_object('pseudonym', pseudonym, 'category', attributes->'category')) FILTER (WHERE event_name = $3) AS requests
           FROM new_rows`,
          [JSON.stringify(inKeyOrder(rows, (row) => row.uid)), receivedAt, DELETION_REQUEST_EVENT],
        )
      ).rows[0]!;
      const deletions: DeletionOutcome[] = [];
      for (const request of requests ?? []) deletions.push(await this.delete(tx, signature, request.pseudonym, request.category, receivedAt));
      return { inserted, deletions };
    });
  }

  storePoints(signature: TelemetrySignature, rows: PointRow[]): Promise<StoreResult> {
    return this.store(signature, rows, async (tx, receivedAt) => {
      const result = await tx.query(
        `INSERT INTO telemetry_metric_points (day, point_id, time, received_at, expires_on, pseudonym, category, name, unit, kind, value, attributes, service_version)
         SELECT day, point_id, time, $2, expires_on, pseudonym, category, name, unit, kind, value, attributes, service_version
         FROM json_to_recordset($1::json) AS r(${POINT_COLUMNS})
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(inKeyOrder(rows, (row) => row.point_id)), receivedAt],
      );
      return { inserted: result.rowCount, deletions: [] };
    });
  }

  private async store<Row extends { day: string; pseudonym: string }>(
    signature: TelemetrySignature,
    rows: Row[],
    insert: (tx: Queryable, receivedAt: Date) => Promise<{ inserted: number; deletions: DeletionOutcome[] }>,
  ): Promise<StoreResult> {
    const days = new Set(rows.map((row) => row.day));
    await this.partitions.ensure(days);
    const attempt = () =>
      this.db.transaction(async (tx) => {
        const receivedAt = this.clock.now();
        await rememberSignature(tx, signature);
        await bindPseudonyms(tx, [...new Set(rows.map((row) => row.pseudonym))], signature.publicKey, receivedAt);
        return insert(tx, receivedAt);
      });
    let outcome: { inserted: number; deletions: DeletionOutcome[] };
    try {
      outcome = await attempt();
    } catch (error) {
      // Another process dropped a partition this one remembered: make it again, once.
      if (!isMissingPartition(error)) throw error;
      this.partitions.forget();
      await this.partitions.ensure(days);
      outcome = await attempt();
    }
    return { inserted: outcome.inserted, duplicates: rows.length - outcome.inserted, deletions: outcome.deletions };
  }

  /** Carries out one deletion request: only the pseudonym's own key may ask (see bindPseudonyms). */
  private async delete(tx: Queryable, signature: TelemetrySignature, pseudonym: string, category: unknown, at: Date): Promise<DeletionOutcome> {
    const known = typeof category === 'string' && (TELEMETRY_CATEGORIES as readonly string[]).includes(category);
    const owner = (await tx.query<{ public_key: string }>('SELECT public_key FROM telemetry_pseudonym_keys WHERE pseudonym = $1', [pseudonym]))
      .rows[0];
    const applied = known && owner?.public_key === signature.publicKey;
    let logRecordsDeleted = 0;
    let metricPointsDeleted = 0;
    if (applied) {
      logRecordsDeleted = (
        await tx.query(`DELETE FROM telemetry_logs WHERE pseudonym = $1 AND category = $2 AND event_name IS DISTINCT FROM $3`, [
          pseudonym,
          category,
          DELETION_REQUEST_EVENT,
        ])
      ).rowCount;
      metricPointsDeleted = (await tx.query('DELETE FROM telemetry_metric_points WHERE pseudonym = $1 AND category = $2', [pseudonym, category]))
        .rowCount;
    }
    const outcome: DeletionOutcome = {
      pseudonym,
      category: typeof category === 'string' ? category.slice(0, 64) : '',
      applied,
      logRecordsDeleted,
      metricPointsDeleted,
    };
    await appendAudit(tx, {
      at,
      actor: 'telemetry',
      action: 'telemetry.deletion',
      subject: pseudonym,
      details: {
        category: outcome.category,
        applied,
        ...(applied ? {} : { reason: known ? 'signed by another key than the pseudonym’s' : 'unknown category' }),
        logRecordsDeleted,
        metricPointsDeleted,
      },
    });
    return outcome;
  }
}

/** Rows in primary-key order: two exports sharing rows (a resend beside the first copy) lock them in one order, never deadlocking. */
function inKeyOrder<Row extends { day: string }>(rows: Row[], key: (row: Row) => string): Row[] {
  return [...rows].sort((a, b) => (a.day === b.day ? (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) : a.day < b.day ? -1 : 1));
}

/**
 * Trust on first use, per week: a pseudonym belongs to the key of the first valid export that
 * carried it. (A week's pseudonym and signing key come from the same secret, so its owner always
 * signs with that key; a record queued just before the week turned may still arrive under the next
 * week's key, which is why other records are kept, and only deletion asks for the owner.)
 */
async function bindPseudonyms(tx: Queryable, pseudonyms: string[], publicKey: string, at: Date): Promise<void> {
  if (pseudonyms.length === 0) return;
  await tx.query(
    `INSERT INTO telemetry_pseudonym_keys (pseudonym, public_key, first_seen_at)
     SELECT p, $2, $3 FROM jsonb_array_elements_text($1::jsonb) AS p ON CONFLICT DO NOTHING`,
    // In one order everywhere, so two exports binding the same pseudonyms never deadlock.
    [JSON.stringify([...pseudonyms].sort()), publicKey, at],
  );
}
