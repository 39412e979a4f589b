import { PGlite, type PGliteInterface } from '@electric-sql/pglite';
import type { Connection, Database, QueryResult, Queryable } from './Database.js';

/**
 * PostgreSQL in WebAssembly, in a folder (or in memory without one): the embedded default. One
 * connection, which PGlite serialises; only one process may open a folder at a time.
 */
export class PgliteDatabase implements Database {
  readonly engine = 'pglite';

  private constructor(private readonly db: PGliteInterface) {}

  /** Opens (creating if needed) the database in `dataDir`, or an in-memory one. */
  static async open(dataDir?: string): Promise<PgliteDatabase> {
    const db = new PGlite(dataDir);
    await db.waitReady;
    return new PgliteDatabase(db);
  }

  /** An independent copy of this database as it is now, in memory (much faster than a new one: tests use it). */
  async clone(): Promise<PgliteDatabase> {
    return new PgliteDatabase(await this.db.clone());
  }

  query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
    return run<Row>(this.db, sql, params);
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work({ query: (sql, params = []) => run(tx, sql, params) }));
  }

  withConnection<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    return work({
      query: (sql, params = []) => run(this.db, sql, params),
      exec: async (sql) => {
        await this.db.exec(sql);
      },
    });
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

interface PgliteQueryable {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[]; affectedRows?: number }>;
}

async function run<Row>(db: PgliteQueryable, sql: string, params: readonly unknown[]): Promise<QueryResult<Row>> {
  const result = await db.query<Row>(sql, [...params]);
  // PGlite counts rows changed in affectedRows and leaves it 0 for a SELECT.
  return { rows: result.rows, rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
}
