import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TELEMETRY_API, type CrashList, type DeletionList, type TelemetryDays } from '../../src/fleet/telemetryApi.js';
import { startFleetTestServer, type FleetTestServer } from '../../test-support/fleet/fleetTestServer.js';
import { TelemetryHeadset, type SignedExport } from '../../test-support/fleet/TelemetryHeadset.js';
import { ENGINES, PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';
import { listPartitions } from './partitions.js';

const databases = new TestDatabases();
const work = mkdtempSync(join(tmpdir(), 'fleet-telemetry-'));
const headsets: TelemetryHeadset[] = [];
const servers: FleetTestServer[] = [];
beforeAll(() => databases.prepare(ENGINES), PREPARE_TIMEOUT_MS);
afterEach(async () => {
  await Promise.all(headsets.splice(0).map((h) => h.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await databases.close();
  rmSync(work, { recursive: true, force: true });
});

let dirs = 0;
async function setup(engine: (typeof ENGINES)[number]) {
  const server = await startFleetTestServer(await databases.migrated(engine));
  servers.push(server);
  const headset = async () => {
    const created = await TelemetryHeadset.create(join(work, `headset-${++dirs}`), () => server.clock.now());
    headsets.push(created);
    return created;
  };
  const send = (e: SignedExport, headers: Record<string, string> = e.headers, body: Buffer = e.body) =>
    server.send({ method: 'POST', url: e.path, headers, body });
  const count = async (sql: string, params: unknown[] = []) => (await server.db.query<{ n: number }>(sql, params)).rows[0]!.n;
  return { server, headset, send, count };
}

describe.each(ENGINES)('telemetry ingest on %s', (engine) => {
  it("stores the headset's logs, metrics and crashes once each, however often they are resent", async () => {
    const { server, headset, send, count } = await setup(engine);
    const wearer = await headset();
    await wearer.consent({ usage: true, performance: true, hardware: true, errors: true });
    await wearer.recordActivity();
    await wearer.crash('Cannot read properties of undefined');
    const exports = await wearer.exports();
    expect(new Set(exports.map((e) => e.signal))).toEqual(new Set(['logs', 'metrics']));
    for (const e of exports) {
      const answer = await send(e);
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json()).toEqual({});
    }
    const logs = await count('SELECT count(*)::int AS n FROM telemetry_logs');
    const points = await count('SELECT count(*)::int AS n FROM telemetry_metric_points');
    expect(logs).toBe(exports.filter((e) => e.signal === 'logs').reduce((n, e) => n + e.uids.length, 0));
    expect(points).toBe(exports.filter((e) => e.signal === 'metrics').reduce((n, e) => n + e.uids.length, 0));
    expect(logs).toBeGreaterThanOrEqual(4);
    expect(points).toBeGreaterThanOrEqual(3);

    // A resend is signed anew (a later date), as the forwarder does after a lost answer: taken, not stored twice.
    server.clock.advance(1000);
    for (const e of await wearer.exports()) expect((await send(e)).json()).toEqual({});
    expect(await count('SELECT count(*)::int AS n FROM telemetry_logs')).toBe(logs);
    expect(await count('SELECT count(*)::int AS n FROM telemetry_metric_points')).toBe(points);

    // Every row names the pseudonym, never a device id; the categories and the registry's metric categories are kept.
    const rows = (await server.db.query<{ pseudonym: string; category: string }>('SELECT pseudonym, category FROM telemetry_logs')).rows;
    expect(new Set(rows.map((r) => r.pseudonym))).toEqual(new Set([wearer.pseudonym()]));
    expect(new Set(rows.map((r) => r.category))).toEqual(new Set(['usage', 'errors']));
    const names = (
      await server.db.query<{ name: string; category: string }>('SELECT DISTINCT name, category FROM telemetry_metric_points ORDER BY name')
    ).rows;
    expect(names).toEqual(
      expect.arrayContaining([
        { name: 'system.cpu_load', category: 'performance' },
        { name: 'hardware.battery_charge', category: 'hardware' },
      ]),
    );

    // The day's partition holds them.
    const day = server.clock.now().toISOString().slice(0, 10).replaceAll('-', '');
    expect((await listPartitions(server.db, 'telemetry_logs')).map((p) => p.name)).toContain(`telemetry_logs_${day}`);
    expect(await count(`SELECT count(*)::int AS n FROM telemetry_logs_${day}`)).toBe(logs);

    // Operators see the crash and the day's counts.
    const viewer = await server.operator('viewer');
    const crashes = (await viewer.get(TELEMETRY_API.crashes)).json<CrashList>();
    expect(crashes.crashes).toHaveLength(1);
    expect(crashes.crashes[0]).toMatchObject({
      pseudonym: wearer.pseudonym(),
      process: 'headsetd',
      version: '1.4.2',
      message: 'TypeError: Cannot read properties of undefined',
    });
    expect(crashes.crashes[0]!.stacktrace).toContain('at update');
    const days = (await viewer.get(`${TELEMETRY_API.days}?days=7`)).json<TelemetryDays>();
    expect(days.days).toHaveLength(7);
    expect(days.days.at(-1)).toEqual({ day: server.clock.now().toISOString().slice(0, 10), logRecords: logs, metricPoints: points, crashes: 1 });
  });

  it("carries out a deletion request for the pseudonym's category, logs it, and refuses one signed by another key", async () => {
    const { server, headset, send, count } = await setup(engine);
    const wearer = await headset();
    const other = await headset();
    for (const h of [wearer, other]) {
      await h.consent({ usage: true, performance: true });
      await h.recordActivity();
      for (const e of await h.exports()) expect((await send(e)).json()).toEqual({});
      await h.outbox.purgeCategory('usage');
      await h.outbox.purgeCategory('performance');
    }
    const usageOf = (pseudonym: string) =>
      count("SELECT count(*)::int AS n FROM telemetry_logs WHERE pseudonym = $1 AND category = 'usage'", [pseudonym]);
    expect(await usageOf(wearer.pseudonym())).toBe(3);

    // Someone else's key asking to delete the wearer's usage: the request is stored, logged, not carried out.
    const forged = await headset();
    await forged.consent({ usage: true });
    // Its own pseudonym as its deletion request carries it (opting out of all then replaces it).
    const forgedPseudonym = forged.pseudonym();
    await forged.consent({ usage: false });
    const forgedExport = (await forged.exports()).find((e) => e.json.includes('telemetry.deletion_request'))!;
    const forgedAnswer = await send(forged.signJson('/v1/logs', forgedExport.json.replaceAll(forgedPseudonym, wearer.pseudonym())));
    expect(forgedAnswer.json()).toEqual({});
    expect(await usageOf(wearer.pseudonym())).toBe(3);

    // The wearer turns usage off: the headset sends its deletion request, which the server carries out.
    await wearer.consent({ usage: false, performance: true });
    const deletion = await wearer.exports();
    expect(deletion.flatMap((e) => e.json.match(/telemetry\.deletion_request/g) ?? [])).toHaveLength(1);
    for (const e of deletion) expect((await send(e)).json()).toEqual({});
    expect(await usageOf(wearer.pseudonym())).toBe(0);
    expect(await usageOf(other.pseudonym())).toBe(3);
    // Only usage: performance stays.
    expect(
      await count("SELECT count(*)::int AS n FROM telemetry_metric_points WHERE pseudonym = $1 AND category = 'performance'", [wearer.pseudonym()]),
    ).toBe(1);
    // Resent: not carried out (or logged) twice.
    server.clock.advance(1000);
    for (const e of await wearer.exports()) expect((await send(e)).json()).toEqual({});
    const audit = (
      await server.db.query<{ subject: string; details: Record<string, unknown> }>(
        "SELECT subject, details FROM audit_log WHERE action = 'telemetry.deletion' ORDER BY id",
      )
    ).rows;
    expect(audit).toEqual([
      { subject: wearer.pseudonym(), details: expect.objectContaining({ category: 'usage', applied: false, logRecordsDeleted: 0 }) },
      { subject: wearer.pseudonym(), details: expect.objectContaining({ category: 'usage', applied: true, logRecordsDeleted: 3 }) },
    ]);
    const listed = (await (await server.operator('viewer')).get(TELEMETRY_API.deletions)).json<DeletionList>();
    expect(listed.deletions.map((d) => [d.pseudonym, d.category, d.applied, d.logRecordsDeleted])).toEqual([
      [wearer.pseudonym(), 'usage', true, 3],
      [wearer.pseudonym(), 'usage', false, 0],
    ]);
  });
});
