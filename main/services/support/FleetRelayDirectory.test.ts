import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupportStatus } from '../../../src/api/contract/support.js';
import { checkInResultSchema } from '../../../src/fleet/deviceApi.js';
import { SUPPORT_API, supportRelaySchema, type SupportSession } from '../../../src/fleet/supportApi.js';
import { SecretRegistry } from '../../../src/secrets/SecretRegistry.js';
import { startFleetTestServer, type FleetTestServer } from '../../../test-support/fleet/fleetTestServer.js';
import type { TestHeadset } from '../../../test-support/fleet/TestHeadset.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../../../test-support/fleet/testDatabases.js';
import { capturedLog } from '../../../test-support/logging/capturedLog.js';
import { relayRigUnavailable, TestRelay } from '../../../test-support/support/relayRig.js';
import { FleetRelayDirectory } from './FleetRelayDirectory.js';
import { RelayConfigFile } from './RelayConfigFile.js';
import { SupportService } from './SupportService.js';

const unavailable = relayRigUnavailable();
if (unavailable) console.log(`FleetRelayDirectory tests with a real sshd skipped: ${unavailable}`);

function until(service: SupportService, test: (s: SupportStatus) => boolean, timeoutMs = 20_000): Promise<SupportStatus> {
  return new Promise((resolve, reject) => {
    const now = service.status.current();
    if (now && test(now)) return resolve(now);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`status never matched; last: ${JSON.stringify(service.status.current())}`));
    }, timeoutMs);
    const off = service.status.subscribe((s) => {
      if (!test(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

describe.skipIf(unavailable)("a support session the fleet server opened, through the headset's check-in, to a real sshd relay", () => {
  const databases = new TestDatabases();
  let relay: TestRelay;
  let server: FleetTestServer;
  const cleanup: string[] = [];

  beforeAll(async () => {
    relay = new TestRelay();
    await relay.start();
    await databases.prepare(['pglite']);
    // The server's --support-relay: the relay as the headset's file has it, without the local authorized_keys path.
    const { authorizedKeysFile: _local, ...offered } = relay.config();
    server = await startFleetTestServer(await databases.migrated('pglite'), { supportRelay: supportRelaySchema.parse(offered) });
  }, PREPARE_TIMEOUT_MS);
  afterAll(async () => {
    await server?.close();
    await databases.close();
    await relay?.close();
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('no relay of its own; the operator opens a session; the check-in answer brings the relay; the wearer starts; support reads the view', async () => {
    const home = mkdtempSync(join(tmpdir(), 'fleet-support-headset-'));
    const stateDir = join(home, 'state');
    const logDir = join(home, 'logs');
    const crashesDir = join(home, 'crashes');
    for (const dir of [stateDir, logDir, crashesDir]) mkdirSync(dir, { recursive: true });
    writeFileSync(join(logDir, 'headset.log'), '{"msg":"hello from a managed headset"}\n');
    writeFileSync(join(stateDir, 'health-history.jsonl'), '{"cpu":3}\n');
    writeFileSync(join(stateDir, 'update-history.json'), '[]\n');
    const runDir = `/run/headset-support-test/${home.split('-').pop()}`;
    cleanup.push(home, runDir);

    // The relay on this machine lets the key in through its authorized_keys file (a remote one: the server's certificate, to come).
    const local = new RelayConfigFile(join(stateDir, 'support-relay.json'));
    const directory = new FleetRelayDirectory(local, (r, line, id) => local.authorize({ ...r, authorizedKeysFile: relay.authorizedKeys }, line, id));
    const service = new SupportService({
      relays: directory,
      sources: {
        logDir,
        crashesDir,
        healthHistory: join(stateDir, 'health-history.jsonl'),
        updateHistory: join(stateDir, 'update-history.json'),
        configFiles: [],
      },
      runDir,
      stateDir,
      secrets: new SecretRegistry(),
      log: capturedLog([], 'support'),
      backoff: { baseMs: 200, maxMs: 2000, jitter: 0 },
      keepalive: { intervalSeconds: 1, countMax: 2 },
      refreshMs: 200,
    });
    directory.onChange(() => void service.relaysChanged());
    try {
      await service.load();
      expect(service.current().configured).toBe(false);
      await expect(service.start({ by: 'settings' })).rejects.toMatchObject({ code: 'SUPPORT_NOT_CONFIGURED' });

      const headset: TestHeadset = await server.acceptedHeadset();
      const checkIn = async () => {
        const answer = await headset.checkIn();
        expect(answer.status).toBe(200);
        directory.offered(checkInResultSchema.parse(answer.json()).support ?? null);
      };
      await checkIn();
      expect(service.current().configured).toBe(false);

      const support = await server.operator('support');
      const session = (
        await support.post(SUPPORT_API.deviceSessions(headset.deviceId), { reason: 'the wearer called', minutes: 30 })
      ).json<SupportSession>();
      await checkIn();
      await until(service, (s) => s.configured);

      const active = await (async () => {
        await service.start({ by: 'settings', reason: 'the operator asked' });
        return until(service, (s) => s.state === 'active');
      })();
      expect(active.session).toMatchObject({ who: 'Test support' });
      // The session's key is in the relay's file only while the session runs.
      expect(readFileSync(relay.authorizedKeys, 'utf8')).toContain(`headset-support-session-${active.session!.id}`);
      const out = join(home, 'got.log');
      const run = relay.sftp(active.session!.relayPort!, [`get /logs/headset.log ${out}`]);
      expect(run.status, run.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain('hello from a managed headset');

      // Closed on the server: the next check-in takes the relay away (a running session ends when the wearer or its timer ends it).
      await support.post(SUPPORT_API.close(headset.deviceId, session.sessionId), {});
      await checkIn();
      expect(await directory.relay()).toBeNull();
      await service.stop();
      expect(readFileSync(relay.authorizedKeys, 'utf8')).not.toContain('headset-support-session-');
      await until(service, (s) => !s.configured && s.state === 'off');
    } finally {
      await service.stop();
    }
  }, 90_000);

  it("uses the headset's own relay when the fleet offers none, and the offer only until its end", async () => {
    let now = Date.parse('2026-12-07T10:00:00Z');
    const own = { relay: async () => null, authorize: async () => async () => undefined };
    const directory = new FleetRelayDirectory(own, undefined, () => now);
    const { authorizedKeysFile: _local, ...offered } = relay.config();
    const offer = { sessionId: crypto.randomUUID(), expiresAt: '2026-12-07T10:30:00.000Z', relay: supportRelaySchema.parse(offered) };
    let changes = 0;
    directory.onChange(() => changes++);
    directory.offered(offer);
    directory.offered(offer);
    expect(changes).toBe(1);
    expect((await directory.relay())?.host).toBe('127.0.0.1');
    now = Date.parse('2026-12-07T10:30:00Z');
    expect(await directory.relay()).toBeNull();
  });
});
