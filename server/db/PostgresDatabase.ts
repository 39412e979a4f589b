import pg from 'pg';
import { isConnectionError } from './connectionErrors.js';
import type { Connection, Database, QueryResult, Queryable } from './Database.js';

export interface PostgresOptions {
  /** `postgres://user@host:port/database` (a password in it stays out of logs and argv: pass it by PGPASSWORD). */
  connectionString: string;
  /** Connections this process may hold (default 10). */
  maxConnections?: number;
}

/** PostgreSQL through a pool of `pg` connections: where a fleet beyond one machine goes. */
export class PostgresDatabase implements Database {
  readonly engine = 'postgresql';

  private constructor(private readonly pool: pg.Pool) {}

  static async open(options: PostgresOptions): Promise<PostgresDatabase> {
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection the server drops (a restart) must not crash the process: the next query reconnects.
    pool.on('error', () => undefined);
    const database = new PostgresDatabase(pool);
    await database.query('SELECT 1');
    return database;
  }

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
    const result = await this.pool.query(sql, [...params]);
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  withConnection<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    return this.withClient((client) =>
      work({
        ...wrap(client),
        exec: async (sql) => {
          await client.query(sql);
        },
      }),
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      return await work(client);
    } catch (error) {
      // A connection that failed mid-transaction is not given back to others.
      if (isConnectionError(error)) broken = error as Error;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

function wrap(client: pg.PoolClient): Queryable {
  return {
    query: async <Row>(sql: string, params: readonly unknown[] = []) => {
      const result = await client.query(sql, [...params]);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
    },
  };
}
