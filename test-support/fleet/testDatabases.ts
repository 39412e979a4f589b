import { fileURLToPath } from 'node:url';
import { loadMigrations, migrate } from '../../server/db/migrations.js';
import type { Database } from '../../server/db/Database.js';
import { PgliteDatabase } from '../../server/db/PgliteDatabase.js';
import { PostgresDatabase } from '../../server/db/PostgresDatabase.js';
import { startTemporaryPostgres, type TemporaryPostgres } from '../postgres/TemporaryPostgres.js';

/** The two engines every fleet server test runs on: the embedded default and the real one. */
export const ENGINES = ['pglite', 'postgresql'] as const;
export type Engine = (typeof ENGINES)[number];

/** What `prepare` may take: starting PGlite (WebAssembly) and PostgreSQL on a loaded 2-core machine. */
export const PREPARE_TIMEOUT_MS = 180_000;

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../server/migrations/', import.meta.url));

/**
 * Fresh databases for one test file: in-memory PGlite ones, and databases in one PostgreSQL cluster
 * the file starts on first use. Call `close()` in afterAll.
 */
export class TestDatabases {
  private cluster: Promise<TemporaryPostgres> | undefined;
  private readonly open: Database[] = [];
  private counter = 0;
  // A new PGlite takes seconds (initdb in WebAssembly); a clone of one takes a fraction of that.
  private pgliteTemplates = new Map<'empty' | 'migrated', Promise<PgliteDatabase>>();

  /**
   * Starts what `engines` need ahead of the tests (a PGlite template takes seconds, more on a loaded
   * machine): call it in beforeAll with PREPARE_TIMEOUT_MS, so each test's own timeout measures the test.
   */
  async prepare(engines: readonly Engine[], pglite: readonly ('empty' | 'migrated')[] = ['migrated']): Promise<void> {
    await Promise.all([
      ...(engines.includes('postgresql') ? [this.postgres()] : []),
      ...(engines.includes('pglite') ? pglite.map((kind) => this.pgliteTemplate(kind)) : []),
    ]);
  }

  postgres(): Promise<TemporaryPostgres> {
    this.cluster ??= startTemporaryPostgres();
    return this.cluster;
  }

  /** An empty database (no migrations applied). */
  async empty(engine: Engine): Promise<Database> {
    const db =
      engine === 'pglite' ? await this.pgliteClone('empty') : await PostgresDatabase.open({ connectionString: await this.emptyPostgresUrl() });
    this.open.push(db);
    return db;
  }

  /** A connection string to a new, empty PostgreSQL database in this file's cluster. */
  async emptyPostgresUrl(): Promise<string> {
    const cluster = await this.postgres();
    return cluster.createDatabase(`fleet_test_${process.pid}_${++this.counter}`);
  }

  /** A database with the server's migrations applied. */
  async migrated(engine: Engine): Promise<Database> {
    if (engine === 'pglite') {
      const db = await this.pgliteClone('migrated');
      this.open.push(db);
      return db;
    }
    const db = await this.empty(engine);
    await migrate(db, await loadMigrations(MIGRATIONS_DIR));
    return db;
  }

  private async pgliteClone(kind: 'empty' | 'migrated'): Promise<PgliteDatabase> {
    return (await this.pgliteTemplate(kind)).clone();
  }

  private pgliteTemplate(kind: 'empty' | 'migrated'): Promise<PgliteDatabase> {
    let template = this.pgliteTemplates.get(kind);
    if (!template) {
      template = (async () => {
        const db = await PgliteDatabase.open();
        this.open.push(db);
        if (kind === 'migrated') await migrate(db, await loadMigrations(MIGRATIONS_DIR));
        return db;
      })();
      this.pgliteTemplates.set(kind, template);
    }
    return template;
  }

  async close(): Promise<void> {
    await Promise.all(this.open.splice(0).map((db) => db.close().catch(() => undefined)));
    if (this.cluster) await (await this.cluster).destroy();
  }
}
