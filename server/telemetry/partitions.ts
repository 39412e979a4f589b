import type { Database, Queryable } from '../db/Database.js';

/**
 * The day partitions of the telemetry tables (PostgreSQL declarative partitioning, which PGlite has
 * too): `telemetry_logs_20261207` holds the log records of 7 December 2026 (UTC). Made on demand
 * and ahead of time, dropped whole once past retention. DDL from several processes at once is
 * serialised by a transaction-level advisory lock, so two never make the same table.
 */

export const PARTITIONED_TABLES = ['telemetry_logs', 'telemetry_metric_points'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

// Any fixed 64-bit number unique to this purpose (the migrations use another).
const DDL_LOCK_KEY = 7_240_614_002;
const DAY_MS = 86_400_000;

/** YYYY-MM-DD (UTC) of a time. */
export function dayOf(time: Date | number): string {
  return new Date(time).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return dayOf(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS);
}

export function partitionName(table: PartitionedTable, day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`not a day: ${day}`);
  return `${table}_${day.replaceAll('-', '')}`;
}

const PARTITION_SUFFIX = /_(\d{4})(\d{2})(\d{2})$/;

/** Remembers the partitions this process made or saw, so a batch costs no DDL once its days exist. */
export class DayPartitions {
  private readonly known = new Set<string>();

  constructor(private readonly db: Database) {}

  /** Makes sure every table has a partition for each of `days`. */
  async ensure(days: Iterable<string>): Promise<void> {
    const missing = [...new Set(days)].flatMap((day) => PARTITIONED_TABLES.map((table) => ({ table, day, name: partitionName(table, day) })));
    const todo = missing.filter((p) => !this.known.has(p.name));
    if (todo.length === 0) return;
    await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK_KEY]);
      for (const { table, day, name } of todo) {
        // The day and name are checked above: no text from a request reaches this statement.
        await tx.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM ('${day}') TO ('${addDays(day, 1)}')`);
      }
    });
    for (const { name } of todo) this.known.add(name);
  }

  /** Forgets what it knew (another process may have dropped a partition). */
  forget(): void {
    this.known.clear();
  }

  /** Drops every partition of a day before `firstKeptDay`; returns the days dropped. */
  async dropBefore(firstKeptDay: string): Promise<string[]> {
    const dropped = new Set<string>();
    await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK_KEY]);
      for (const table of PARTITIONED_TABLES) {
        for (const { name, day } of await listPartitions(tx, table)) {
          if (day >= firstKeptDay) continue;
          await tx.query(`DROP TABLE IF EXISTS ${name}`);
          this.known.delete(name);
          dropped.add(day);
        }
      }
    });
    return [...dropped].sort();
  }
}

/** The day partitions a table has, oldest first. */
export async function listPartitions(db: Queryable, table: PartitionedTable): Promise<{ name: string; day: string }[]> {
  const rows = (
    await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       WHERE p.relname = $1`,
      [table],
    )
  ).rows;
  return rows
    .flatMap(({ name }) => {
      const match = PARTITION_SUFFIX.exec(name);
      return match && partitionName(table, `${match[1]}-${match[2]}-${match[3]}`) === name
        ? [{ name, day: `${match[1]}-${match[2]}-${match[3]}` }]
        : [];
    })
    .sort((a, b) => a.day.localeCompare(b.day));
}

/** Whether an insert failed for want of a partition (PostgreSQL's check_violation on routing). */
export function isMissingPartition(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === '23514' && /no partition of relation/.test(error.message);
}
