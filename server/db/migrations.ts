import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Connection, Database } from './Database.js';

/**
 * Versioned SQL migrations: numbered files (`001_initial.sql`, `002_….sql`) applied in order, each in
 * its own transaction with its row in `schema_migrations`, under an advisory lock so that several
 * server processes starting at once apply each exactly once. A file changed after it was applied, or
 * a database migrated by a newer server, is refused rather than guessed at.
 */

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** SHA-256 of the file, hex: what was applied is what the file says. */
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;
// Any fixed 64-bit number unique to this purpose (session-level advisory lock key).
const LOCK_KEY = 7_240_614_001;

export async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_NAME.exec(file);
    if (!match) throw new MigrationError(`${file}: a migration is named NNN_lower_case_name.sql`);
    const sql = await readFile(join(dir, file), 'utf8');
    migrations.push({ version: Number(match[1]), name: match[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`Migrations must be numbered 001, 002, … without gaps or repeats: found ${files.join(', ')}`);
  });
  return migrations;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/** Applies the migrations the database lacks; returns the versions it applied (none when up to date). */
export async function migrate(db: Database, migrations: readonly Migration[]): Promise<number[]> {
  return db.withConnection(async (connection) => {
    await connection.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      return await applyPending(connection, migrations);
    } finally {
      await connection.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  });
}

async function applyPending(connection: Connection, migrations: readonly Migration[]): Promise<number[]> {
  await connection.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied = (await connection.query<AppliedRow>('SELECT version, name, checksum FROM schema_migrations ORDER BY version')).rows;
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied) {
    const migration = known.get(row.version);
    if (!migration)
      throw new MigrationError(
        `The database has migration ${row.version} (${row.name}), which this server does not know: it is older than the database.`,
      );
    if (migration.checksum !== row.checksum) {
      throw new MigrationError(`Migration ${row.version} (${row.name}) was changed after it was applied; add a new migration instead.`);
    }
  }
  const done = new Set(applied.map((row) => row.version));
  const newlyApplied: number[] = [];
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    await connection.exec('BEGIN');
    try {
      await connection.exec(migration.sql);
      await connection.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      await connection.exec('COMMIT');
    } catch (error) {
      await connection.exec('ROLLBACK').catch(() => undefined);
      throw new MigrationError(`Migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, { cause: error });
    }
    newlyApplied.push(migration.version);
  }
  return newlyApplied;
}
