import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';
import { isConnectionError } from './connectionErrors.js';
import { PostgresDatabase } from './PostgresDatabase.js';

const databases = new TestDatabases();
beforeAll(() => databases.prepare(['postgresql']), PREPARE_TIMEOUT_MS);
afterAll(() => databases.close());

describe('PostgresDatabase', () => {
  it('fails cleanly while PostgreSQL is down and serves again once it is back, without a restart', async () => {
    const cluster = await databases.postgres();
    const db = await PostgresDatabase.open({ connectionString: await databases.emptyPostgresUrl(), maxConnections: 3 });
    try {
      await db.query('CREATE TABLE t (x int)');
      await cluster.stopServer();
      const failures = await Promise.allSettled([db.query('SELECT 1'), db.transaction((tx) => tx.query('INSERT INTO t VALUES (1)'))]);
      for (const failure of failures) {
        expect(failure.status).toBe('rejected');
        expect(isConnectionError((failure as PromiseRejectedResult).reason)).toBe(true);
      }
      await cluster.startServer();
      await db.transaction((tx) => tx.query('INSERT INTO t VALUES (2)'));
      expect((await db.query('SELECT x FROM t')).rows).toEqual([{ x: 2 }]);
    } finally {
      await db.close();
    }
  });

  it('rolls a transaction back when its work throws', async () => {
    const db = await PostgresDatabase.open({ connectionString: await databases.emptyPostgresUrl() });
    try {
      await db.query('CREATE TABLE t (x int)');
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t VALUES (1)');
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect((await db.query('SELECT x FROM t')).rows).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
