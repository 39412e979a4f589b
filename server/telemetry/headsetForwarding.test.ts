import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelemetryHeadset } from '../../test-support/fleet/TelemetryHeadset.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';
import { makeSelfSignedCertificate } from '../../test-support/telemetry/OtlpTestReceiver.js';
import { waitFor } from '../../test-support/telemetry/fixtures.js';
import { buildServer } from '../buildServer.js';
import { systemClock } from '../clock.js';
import type { Database } from '../db/Database.js';
import { argon2idHasher } from '../operators/passwords.js';

const databases = new TestDatabases();
const work = mkdtempSync(join(tmpdir(), 'fleet-forwarding-'));
let tls: { cert: string; key: string };
beforeAll(async () => {
  tls = makeSelfSignedCertificate(work);
  await databases.prepare(['pglite']);
}, PREPARE_TIMEOUT_MS);
afterAll(async () => {
  await databases.close();
  rmSync(work, { recursive: true, force: true });
});

/** The fleet server over HTTPS on 127.0.0.1 (as behind its TLS proxy), on PGlite, in this process. */
async function startServer(db: Database, loseAnswers: number): Promise<{ app: FastifyInstance; url: string; lost: () => number }> {
  const app = await buildServer({ db, clock: systemClock, passwords: argon2idHasher('minimum'), secureCookies: true, https: tls });
  let lost = 0;
  // The first answers are lost on the way back, after the server stored the export: the headset must resend.
  app.addHook('onSend', async (request, _reply, payload) => {
    if (request.url.startsWith('/v1/') && lost < loseAnswers) {
      lost++;
      request.raw.socket.destroy();
    }
    return payload;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { app, url: `https://127.0.0.1:${address.port}`, lost: () => lost };
}

describe("the headset's telemetry forwarder and the fleet server", () => {
  it('delivers every record once, though answers are lost and the headset resends', async () => {
    const db = await databases.migrated('pglite');
    const server = await startServer(db, 2);
    const headset = await TelemetryHeadset.create(join(work, 'headset'));
    const forwarder = headset.forwardTo(server.url, tls.cert);
    try {
      await headset.consent({ usage: true, performance: true, hardware: true, errors: true });
      await headset.recordActivity();
      await headset.crash('Cannot read properties of undefined (reading "slot")', 'renderer');
      const queued = headset.queued();
      expect(queued).toBeGreaterThanOrEqual(7);
      await waitFor(() => headset.queued() === 0, 60_000, 'the outbox to empty');
      expect(server.lost()).toBe(2);

      const logs = (await db.query<{ uid: string; event_name: string }>('SELECT uid::text AS uid, event_name FROM telemetry_logs')).rows;
      const points = (await db.query<{ name: string }>('SELECT name FROM telemetry_metric_points')).rows;
      expect(logs.length + points.length).toBe(queued);
      expect(new Set(logs.map((l) => l.uid)).size).toBe(logs.length);
      expect(logs.filter((l) => l.event_name === 'crash.record')).toHaveLength(1);
      expect(points.map((p) => p.name).sort()).toEqual(expect.arrayContaining(['errors.crash_count', 'hardware.battery_charge', 'system.cpu_load']));
      const stats = headset.outbox.stats();
      expect(stats.delivered).toBe(queued);
      expect(stats.dropped).toBe(0);
      expect(stats.lastError).toBeNull();
      // Each resend was signed anew: the server kept one signature per request it stored, none refused as a replay.
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry_signatures')).rows[0]!.n).toBeGreaterThanOrEqual(2);

      // The wearer turns everything optional off: the deletion requests reach the server and purge the pseudonym's data.
      const pseudonym = headset.pseudonym();
      await headset.consent({ usage: false, performance: false, hardware: false, errors: false });
      await waitFor(() => headset.queued() === 0, 60_000, 'the deletion requests to be delivered');
      const left = await db.query<{ category: string }>(
        `SELECT category FROM telemetry_logs WHERE pseudonym = $1 AND event_name <> 'telemetry.deletion_request'
         UNION ALL SELECT category FROM telemetry_metric_points WHERE pseudonym = $1`,
        [pseudonym],
      );
      expect(left.rows).toEqual([]);
      const audited = await db.query<{ category: string }>(
        "SELECT details->>'category' AS category FROM audit_log WHERE action = 'telemetry.deletion' AND subject = $1 AND (details->>'applied')::boolean",
        [pseudonym],
      );
      expect(audited.rows.map((r) => r.category).sort()).toEqual(['errors', 'hardware', 'performance', 'usage']);
    } finally {
      await forwarder.stop();
      await headset.close();
      await server.app.close();
    }
  }, 120_000);
});
