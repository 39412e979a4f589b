import { CRASH_EVENT, type CrashList, type DeletionList, type TelemetryDay } from '../../src/fleet/telemetryApi.js';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/Database.js';
import { addDays, dayOf } from './partitions.js';

/** What operators read of the telemetry: counts per day, crash records, deletion requests. */

/** Records per day over the last `days` days (today included), every day listed, oldest first. */
export async function telemetryDays(db: Queryable, clock: Clock, days: number): Promise<TelemetryDay[]> {
  const last = dayOf(clock.now());
  const first = addDays(last, -(days - 1));
  const [logs, points] = await Promise.all([
    db.query<{ day: string; n: number; crashes: number }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, count(*)::int AS n, count(*) FILTER (WHERE event_name = $3)::int AS crashes
       FROM telemetry_logs WHERE day BETWEEN $1 AND $2 GROUP BY day`,
      [first, last, CRASH_EVENT],
    ),
    db.query<{ day: string; n: number }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, count(*)::int AS n FROM telemetry_metric_points WHERE day BETWEEN $1 AND $2 GROUP BY day`,
      [first, last],
    ),
  ]);
  const byDay = new Map<string, TelemetryDay>();
  for (let day = first; day <= last; day = addDays(day, 1)) byDay.set(day, { day, logRecords: 0, metricPoints: 0, crashes: 0 });
  for (const row of logs.rows) Object.assign(byDay.get(row.day) ?? {}, { logRecords: row.n, crashes: row.crashes });
  for (const row of points.rows) Object.assign(byDay.get(row.day) ?? {}, { metricPoints: row.n });
  return [...byDay.values()];
}

interface CrashRow {
  uid: string;
  time: Date;
  received_at: Date;
  pseudonym: string;
  body: string;
  attributes: Record<string, unknown>;
}

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/** Crash records, newest first, a page at a time (`before`: the previous page's nextBefore). */
export async function crashRecords(db: Queryable, limit: number, before?: string): Promise<CrashList> {
  const rows = (
    await db.query<CrashRow>(
      `SELECT uid::text AS uid, time, received_at, pseudonym, body, attributes FROM telemetry_logs
       WHERE event_name = $1 AND ($2::timestamptz IS NULL OR time < $2)
       ORDER BY time DESC, uid LIMIT $3`,
      [CRASH_EVENT, before ?? null, limit + 1],
    )
  ).rows;
  const page = rows.slice(0, limit);
  return {
    crashes: page.map((row) => ({
      uid: row.uid,
      time: row.time.toISOString(),
      receivedAt: row.received_at.toISOString(),
      pseudonym: row.pseudonym,
      process: text(row.attributes.process),
      version: text(row.attributes['headset.app.version']),
      message: row.body,
      stacktrace: text(row.attributes['exception.stacktrace']),
    })),
    nextBefore: rows.length > limit ? page[page.length - 1]!.time.toISOString() : null,
  };
}

/** The deletion requests carried out (or refused), newest first, from the audit log. */
export async function deletionRequests(db: Queryable, limit = 200): Promise<DeletionList> {
  const rows = (
    await db.query<{ at: Date; subject: string; details: Record<string, unknown> | null }>(
      `SELECT at, subject, details FROM audit_log WHERE action = 'telemetry.deletion' ORDER BY at DESC, id DESC LIMIT $1`,
      [limit],
    )
  ).rows;
  return {
    deletions: rows.map((row) => ({
      at: row.at.toISOString(),
      pseudonym: row.subject,
      category: text(row.details?.category) ?? '',
      applied: row.details?.applied === true,
      logRecordsDeleted: Number(row.details?.logRecordsDeleted ?? 0),
      metricPointsDeleted: Number(row.details?.metricPointsDeleted ?? 0),
    })),
  };
}
