import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperatorClient } from '../../test-support/fleet/OperatorClient.js';
import { startFleetTestServer } from '../../test-support/fleet/fleetTestServer.js';
import { TelemetryHeadset } from '../../test-support/fleet/TelemetryHeadset.js';
import { ENGINES, PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';
import { addDays, dayOf, DayPartitions, listPartitions } from '../telemetry/partitions.js';
import { purgeExpired, startPeriodicPurge } from './purgeExpired.js';

const databases = new TestDatabases();
const work = mkdtempSync(join(tmpdir(), 'fleet-purge-'));
beforeAll(() => databases.prepare(ENGINES), PREPARE_TIMEOUT_MS);
afterAll(async () => {
  await databases.close();
  rmSync(work, { recursive: true, force: true });
});

const DAY = 86_400_000;

describe.each(ENGINES)('purging what expired, on %s', (engine) => {
  it('removes expired challenges, nonces, sessions, counters and signatures, telemetry past its retention, and whole days past the server’s', async () => {
    const server = await startFleetTestServer(await databases.migrated(engine));
    const headset = await TelemetryHeadset.create(join(work, engine), () => server.clock.now());
    try {
      const count = async (table: string) => (await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
      // One of each: a challenge, a signed check-in (its nonce), a session, a failed login (a counter).
      await server.headset().challenge();
      expect((await (await server.acceptedHeadset()).checkIn()).status).toBe(200);
      await server.operator('viewer');
      await new OperatorClient(server.send).login('nobody', 'not the password');
      // Telemetry of three retentions: crash records 30 days, CPU load 90, screen views 180.
      await headset.consent({ usage: true, performance: true, errors: true });
      await headset.recordActivity(['home']);
      await headset.crash('boom');
      for (const e of await headset.exports())
        expect((await server.send({ method: 'POST', url: e.path, headers: e.headers, body: e.body })).json()).toEqual({});
      const firstDay = dayOf(server.clock.now());
      const named = async (name: string) =>
        (
          await server.db.query<{ n: number }>(
            `SELECT (SELECT count(*) FROM telemetry_logs WHERE event_name = $1) + (SELECT count(*) FROM telemetry_metric_points WHERE name = $1) AS n`,
            [name],
          )
        ).rows[0]!.n;
      for (const name of ['crash.record', 'system.cpu_load', 'ui.screen_view']) expect(Number(await named(name)), name).toBe(1);
      for (const table of ['registration_challenges', 'request_nonces', 'operator_sessions', 'throttle_counters', 'telemetry_signatures'])
        expect(await count(table), table).toBeGreaterThan(0);

      const partitions = new DayPartitions(server.db);
      // Nothing has expired yet: nothing goes.
      const early = await purgeExpired(server.db, server.clock, partitions, 395);
      expect(early).toMatchObject({ challenges: 0, sessions: 0, logRecords: 0, metricPoints: 0, droppedDays: [] });

      server.clock.advance(31 * DAY);
      const month = await purgeExpired(server.db, server.clock, partitions, 395);
      expect(month.challenges).toBe(2); // ours and the one the accepted headset answered
      expect(month.nonces).toBeGreaterThan(0);
      expect(month.sessions).toBeGreaterThan(0);
      expect(month.throttleCounters).toBeGreaterThan(0);
      expect(month.telemetrySignatures).toBeGreaterThan(0);
      for (const table of ['registration_challenges', 'request_nonces', 'operator_sessions', 'throttle_counters', 'telemetry_signatures'])
        expect(await count(table), table).toBe(0);
      expect(Number(await named('crash.record'))).toBe(0);
      expect(Number(await named('system.cpu_load'))).toBe(1);
      // The coming days' partitions are made ahead.
      const today = dayOf(server.clock.now());
      expect((await listPartitions(server.db, 'telemetry_logs')).map((p) => p.day)).toEqual(
        expect.arrayContaining([today, addDays(today, 1), addDays(today, 2)]),
      );

      server.clock.advance(60 * DAY);
      await purgeExpired(server.db, server.clock, partitions, 395);
      expect(Number(await named('system.cpu_load'))).toBe(0);
      expect(Number(await named('ui.screen_view'))).toBe(1);

      // The server keeps 60 days at most: the first day's partitions go whole, with the screen view.
      const short = await purgeExpired(server.db, server.clock, partitions, 60);
      expect(short.droppedDays).toContain(firstDay);
      expect(Number(await named('ui.screen_view'))).toBe(0);
      expect((await listPartitions(server.db, 'telemetry_logs')).map((p) => p.day)).not.toContain(firstDay);
      expect(short.pseudonymKeys).toBe(1);
    } finally {
      await headset.close();
      await server.close();
    }
  });
});

describe('the periodic purge', () => {
  it('runs at once and then on its interval, and survives a failing run', async () => {
    const db = await databases.migrated('pglite');
    const errors: unknown[] = [];
    let reports = 0;
    let failNext = true;
    const partitions = new DayPartitions(db);
    const clock = {
      now: () => {
        if (failNext) {
          failNext = false;
          throw new Error('clock broke once');
        }
        return new Date();
      },
    };
    const purge = startPeriodicPurge({
      db,
      clock,
      partitions,
      retentionDays: 30,
      everyMs: 50,
      onReport: () => reports++,
      onError: (e) => errors.push(e),
    });
    try {
      const until = Date.now() + 20_000;
      while (reports < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(errors).toHaveLength(1);
      expect(reports).toBeGreaterThanOrEqual(2);
    } finally {
      await purge.stop();
    }
    const after = reports;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(reports).toBe(after);
  });
});
