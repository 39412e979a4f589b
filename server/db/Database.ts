/**
 * The fleet server's one view of its database, whichever engine runs it: PGlite in a folder (the
 * embedded default) or PostgreSQL (at scale). Same SQL, same migrations. Rows come back with
 * timestamps as Date and json as objects on both; int8 differs (a number in PGlite, a string in pg),
 * so queries cast counts to int.
 */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

export interface QueryResult<Row> {
  rows: Row[];
  /** Rows inserted, updated, deleted or returned. */
  rowCount: number;
}

/** One connection held for a while: session-level advisory locks and multi-statement scripts need it. */
export interface Connection extends Queryable {
  /** Runs a script of several statements, without parameters. */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly engine: 'pglite' | 'postgresql';
  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  withConnection<T>(work: (connection: Connection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
