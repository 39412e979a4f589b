import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, MIGRATIONS_DIR, PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';
import { PostgresDatabase } from './PostgresDatabase.js';
import { loadMigrations, migrate, MigrationError, type Migration } from './migrations.js';

const databases = new TestDatabases();
beforeAll(() => databases.prepare(ENGINES, ['empty', 'migrated']), PREPARE_TIMEOUT_MS);
afterAll(() => databases.close());

const sample = (version: number, name: string, sql: string): Migration => ({ version, name, sql, checksum: `sum-${version}-${sql.length}` });

describe('loadMigrations', () => {
  it("reads the server's own migrations in order, numbered without gaps", async () => {
    const migrations = await loadMigrations(MIGRATIONS_DIR);
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    for (const m of migrations) expect(m.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a gap, a repeat or a badly named file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-migrations-'));
    try {
      await writeFile(join(dir, '001_one.sql'), 'SELECT 1;');
      await writeFile(join(dir, '003_three.sql'), 'SELECT 3;');
      await expect(loadMigrations(dir)).rejects.toThrow(MigrationError);
      await rm(join(dir, '003_three.sql'));
      await writeFile(join(dir, '002-Two.sql'), 'SELECT 2;');
      await expect(loadMigrations(dir)).rejects.toThrow(/NNN_lower_case_name/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe.each(ENGINES)('migrate on %s', (engine) => {
  it('applies pending migrations once, in order, and nothing when up to date', async () => {
    const db = await databases.empty(engine);
    const first = [sample(1, 'a', 'CREATE TABLE a (x int);'), sample(2, 'b', 'INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);')];
    expect(await migrate(db, first)).toEqual([1, 2]);
    expect(await migrate(db, first)).toEqual([]);
    expect(await migrate(db, [...first, sample(3, 'c', 'ALTER TABLE a ADD COLUMN y text;')])).toEqual([3]);
    const rows = (await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows;
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
    expect((await db.query('SELECT x FROM a')).rows).toHaveLength(2);
  });

  it('rolls a failing migration back whole and records nothing for it', async () => {
    const db = await databases.empty(engine);
    const broken = [sample(1, 'a', 'CREATE TABLE a (x int);'), sample(2, 'b', 'INSERT INTO a VALUES (1); INSERT INTO missing VALUES (2);')];
    await expect(migrate(db, broken)).rejects.toThrow(/Migration 2 \(b\) failed/);
    expect((await db.query('SELECT x FROM a')).rows).toHaveLength(0);
    expect((await db.query('SELECT version FROM schema_migrations')).rows).toEqual([{ version: 1 }]);
  });

  it('refuses a migration changed after it was applied, and a database newer than the server', async () => {
    const db = await databases.empty(engine);
    await migrate(db, [sample(1, 'a', 'CREATE TABLE a (x int);'), sample(2, 'b', 'CREATE TABLE b (x int);')]);
    await expect(migrate(db, [sample(1, 'a', 'CREATE TABLE a (x bigint);'), sample(2, 'b', 'CREATE TABLE b (x int);')])).rejects.toThrow(
      /was changed after it was applied/,
    );
    await expect(migrate(db, [sample(1, 'a', 'CREATE TABLE a (x int);')])).rejects.toThrow(/older than the database/);
  });

  it("applies the server's own migrations", async () => {
    const db = await databases.migrated(engine);
    const tables = (await db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).rows;
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['devices', 'operators', 'operator_sessions', 'registration_challenges']));
  });
});

describe('migrate on PostgreSQL, several servers starting at once', () => {
  it('applies each migration exactly once under the advisory lock', async () => {
    const url = await databases.emptyPostgresUrl();
    const servers = await Promise.all([1, 2, 3].map(() => PostgresDatabase.open({ connectionString: url, maxConnections: 2 })));
    try {
      // The second statement is slow, so without the lock the others would start it too and collide.
      const migrations = [sample(1, 'a', 'CREATE TABLE a (x int); SELECT pg_sleep(0.3);'), sample(2, 'b', 'CREATE TABLE b (x int);')];
      const applied = await Promise.all(servers.map((db) => migrate(db, migrations)));
      expect(applied.flat().sort()).toEqual([1, 2]);
      expect((await servers[0]!.query('SELECT version FROM schema_migrations ORDER BY version')).rows).toEqual([{ version: 1 }, { version: 2 }]);
    } finally {
      await Promise.all(servers.map((db) => db.close()));
    }
  });
});
