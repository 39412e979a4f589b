import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkStatus, RegistrationStatus } from '../../../src/api/contract.js';
import { AppError } from '../../../src/api/errors.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { OPERATOR_API, type DeviceDetail } from '../../../src/fleet/operatorApi.js';
import { SIGNED_REQUEST_HEADERS } from '../../../src/fleet/signing.js';
import { sampleBoot, sampleHealth, sampleInfo } from '../../../test-support/api/samples.js';
import { startFleetTestServer, type FleetTestServer } from '../../../test-support/fleet/fleetTestServer.js';
import type { OperatorClient } from '../../../test-support/fleet/OperatorClient.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../../../test-support/fleet/testDatabases.js';
import { capturedLog } from '../../../test-support/logging/capturedLog.js';
import type { Database } from '../../../server/db/Database.js';
import { IdentityService } from '../identity/IdentityService.js';
import { registrationCapability } from './registrationCapability.js';

/**
 * The registration capability against the real fleet server (in process, listening on 127.0.0.1,
 * PGlite): the headset's HTTP requests, signatures and journal are the real ones, and operators
 * decide through the server's API.
 */
const databases = new TestDatabases();
beforeAll(() => databases.prepare(['pglite']), PREPARE_TIMEOUT_MS);
afterAll(() => databases.close());

const FAST_BACKOFF = { baseMs: 40, maxMs: 160, jitter: 0.5 };

interface Listening {
  server: FleetTestServer;
  url: string;
  port: number;
  /** Every request the server received: method, path and headers. */
  seen: { method: string; url: string; headers: Record<string, unknown> }[];
}

async function listen(db: Database, port = 0): Promise<Listening> {
  const server = await startFleetTestServer(db);
  const seen: Listening['seen'] = [];
  server.app.addHook('onRequest', async (request) => {
    seen.push({ method: request.method, url: request.url, headers: { ...request.headers } });
  });
  await server.app.listen({ host: '127.0.0.1', port });
  const address = server.app.server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}`, port: address.port, seen };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A headset: a real identity on disk, its state folder, its network, and the capability started. */
async function headset(options: { url?: string; tags?: string[]; dir?: string; deviceId?: string; offline?: boolean } = {}) {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'registration-')));
  if (!options.dir) cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const deviceId = options.deviceId ?? randomUUID();
  const identity = new IdentityService(join(dir, 'identity'), { read: async () => deviceId });
  await identity.load();
  const network = new StateChannel<NetworkStatus>({ state: options.offline ? 'offline' : 'online', since: new Date().toISOString() });
  const lines: string[] = [];
  const capability = registrationCapability({
    config: options.url ? { serverUrl: options.url, groupTags: options.tags ?? [] } : undefined,
    identity,
    facts: { info: async () => ({ ...sampleInfo, components: { firmware: '2.1.0' } }), boot: () => sampleBoot, health: () => sampleHealth() },
    network,
    stateDir: dir,
    log: capturedLog(lines, 'registration'),
    backoff: FAST_BACKOFF,
    pendingPollMs: 60_000,
    refusedPollMs: 60_000,
    requestTimeoutMs: 2_000,
  });
  await capability.start!();
  cleanups.push(() => capability.stop!());
  const states: RegistrationStatus[] = [];
  capability.provides.registration.subscribe((s) => states.push(s));
  const status = () => capability.provides.registration.current()!;
  const until = (check: (s: RegistrationStatus) => boolean, timeout = 10_000) =>
    expect.poll(() => check(status()), { timeout, interval: 20 }).toBe(true);
  return { dir, identity, network, capability, status, states, until, lines, deviceId: identity.get().deviceId };
}

describe('registration with a fleet server', () => {
  let fleet: Listening;
  let support: OperatorClient;
  beforeAll(async () => {
    fleet = await listen(await databases.migrated('pglite'));
    support = await fleet.server.operator('support');
  }, PREPARE_TIMEOUT_MS);
  afterAll(() => fleet.server.close());

  const device = async (deviceId: string) => (await support.get(OPERATOR_API.device(deviceId))).json<DeviceDetail>();

  it('registers when online, waits for an operator, then checks in with its inventory; only signed requests, no bearer secret', async () => {
    const h = await headset({ url: fleet.url, tags: ['site:lyon', 'beta'] });
    await h.until((s) => s.state === 'pending');
    expect(h.status()).toMatchObject({ serverName: `127.0.0.1:${fleet.port}`, accepted: false, problem: { code: 'REGISTRATION_PENDING' } });
    expect((await device(h.deviceId)).status).toBe('pending');

    expect((await support.post(OPERATOR_API.decision(h.deviceId, 'accept'), {})).status).toBe(200);
    const registered = await h.capability.handlers!['registration.checkNow']!({}, undefined as never);
    expect(registered).toMatchObject({ state: 'registered', accepted: true, problem: null, groupTags: ['site:lyon', 'beta'] });
    expect(Date.parse(registered.nextAttemptAt!) - Date.now()).toBeGreaterThan(50_000); // the server's 60 s

    const page = await device(h.deviceId);
    expect(page.inventory).toMatchObject({
      model: sampleInfo.model,
      appVersion: sampleInfo.appVersion,
      components: { firmware: '2.1.0' },
      slots: { active: sampleBoot.activeSlot, fellBack: false },
      health: { cpuLoadPercent: sampleHealth().cpuLoadPercent },
      groupTags: ['site:lyon', 'beta'],
    });
    expect(page.publicKey).toBe(h.identity.get().publicKey);

    // Each later check-in updates the inventory the server keeps.
    const before = page.lastSeenAt;
    fleet.server.clock.advance(5_000);
    await h.capability.handlers!['registration.checkNow']!({}, undefined as never);
    expect((await device(h.deviceId)).lastSeenAt).not.toBe(before);

    const fromHeadset = fleet.seen.filter((r) => r.url.startsWith('/api/v1/device/'));
    expect(fromHeadset.map((r) => r.url)).toContain('/api/v1/device/check-ins');
    for (const request of fromHeadset) {
      expect(request.headers.authorization, request.url).toBeUndefined();
      expect(request.headers.cookie, request.url).toBeUndefined();
      if (request.url === '/api/v1/device/check-ins')
        expect(request.headers[SIGNED_REQUEST_HEADERS.signature]).toMatch(/^[A-Za-z0-9+/]{85}[AQgw]==$/);
    }
    // The journal (temp, fsync, rename) keeps the standing and public facts only.
    const journal = JSON.parse(await readFile(join(h.dir, 'fleet-registration.json'), 'utf8'));
    expect(journal).toMatchObject({ serverUrl: fleet.url, deviceId: h.deviceId, publicKey: h.identity.get().publicKey, status: 'accepted' });
    expect(Object.keys(journal).sort()).toEqual(['acceptedAt', 'deviceId', 'lastCheckInAt', 'publicKey', 'serverUrl', 'status', 'version']);
  });

  it('after a restart, a registered headset checks in without registering again', async () => {
    const first = await headset({ url: fleet.url });
    await first.until((s) => s.state === 'pending');
    await support.post(OPERATOR_API.decision(first.deviceId, 'accept'), {});
    await first.capability.handlers!['registration.checkNow']!({}, undefined as never);
    await first.capability.stop!();

    const challengesBefore = fleet.seen.filter((r) => r.url === '/api/v1/device/challenges').length;
    const again = await headset({ url: fleet.url, dir: first.dir, deviceId: first.deviceId });
    expect(again.status().accepted).toBe(true); // from the journal, before the server answers
    await again.until((s) => s.state === 'registered');
    expect(fleet.seen.filter((r) => r.url === '/api/v1/device/challenges').length).toBe(challengesBefore);
  });

  it('re-registers after a new identity key (a factory reset): same device id, pending until an operator accepts the key', async () => {
    const h = await headset({ url: fleet.url });
    await h.until((s) => s.state === 'pending');
    await support.post(OPERATOR_API.decision(h.deviceId, 'accept'), {});
    await h.capability.handlers!['registration.checkNow']!({}, undefined as never);
    const oldKey = h.identity.get().publicKey;
    await h.capability.stop!();

    // The key is gone; the identity keeps its device id and makes a new key.
    await unlink(join(h.dir, 'identity', 'ed25519.secret'));
    const reset = await headset({ url: fleet.url, dir: h.dir, deviceId: h.deviceId });
    expect(reset.identity.get().deviceId).toBe(h.deviceId);
    expect(reset.identity.get().publicKey).not.toBe(oldKey);
    expect(reset.status().accepted).toBe(false);
    await reset.until((s) => s.state === 'pending');
    expect(await device(h.deviceId)).toMatchObject({ publicKey: oldKey, keyAwaitingApproval: true });

    await support.post(OPERATOR_API.decision(h.deviceId, 'accept'), {});
    expect(await reset.capability.handlers!['registration.checkNow']!({}, undefined as never)).toMatchObject({ state: 'registered', accepted: true });
    expect((await device(h.deviceId)).publicKey).toBe(reset.identity.get().publicKey);
  });

  it('a rejected headset is shown refused, and a decommissioned one gets nothing', async () => {
    const rejected = await headset({ url: fleet.url });
    await rejected.until((s) => s.state === 'pending');
    await support.post(OPERATOR_API.decision(rejected.deviceId, 'reject'), {});
    expect(await rejected.capability.handlers!['registration.checkNow']!({}, undefined as never)).toMatchObject({
      state: 'refused',
      accepted: false,
      problem: { code: 'DEVICE_REFUSED' },
    });

    const retired = await headset({ url: fleet.url });
    await retired.until((s) => s.state === 'pending');
    await support.post(OPERATOR_API.decision(retired.deviceId, 'accept'), {});
    await retired.capability.handlers!['registration.checkNow']!({}, undefined as never);
    await support.post(OPERATOR_API.decision(retired.deviceId, 'decommission'), {});
    const inventoryAt = (await device(retired.deviceId)).lastSeenAt;
    fleet.server.clock.advance(5_000);
    const answer = await retired.capability.handlers!['registration.checkNow']!({}, undefined as never);
    expect(answer).toMatchObject({ state: 'refused', accepted: false, problem: { code: 'DEVICE_REFUSED' } });
    // Nothing was taken from it either.
    expect((await device(retired.deviceId)).lastSeenAt).toBe(inventoryAt);
    // Asked again only after the long wait, not in a loop.
    expect(Date.parse(answer.nextAttemptAt!) - Date.now()).toBeGreaterThan(50_000);
  });

  it('offline it waits, and registers as soon as the network is back', async () => {
    const h = await headset({ url: fleet.url, offline: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.status()).toMatchObject({ state: 'offline', nextAttemptAt: null });
    expect((await support.get(OPERATOR_API.device(h.deviceId))).status).toBe(404);
    h.network.set({ state: 'metered', since: new Date().toISOString() });
    await h.until((s) => s.state === 'pending');
  });
});

describe('a fleet server that is down', () => {
  it('is a state with its reason, retried with a growing wait, and the headset registers once the server is back', async () => {
    const db = await databases.migrated('pglite');
    let fleet = await listen(db);
    const port = fleet.port;
    await fleet.server.close();

    const h = await headset({ url: `http://127.0.0.1:${port}` });
    await h.until((s) => s.state === 'retrying');
    expect(h.status().problem).toMatchObject({ code: 'FLEET_UNREACHABLE' });
    expect(h.status().problem!.message).toMatch(/ECONNREFUSED/);
    // Several attempts, each announced with its next time, waits growing to the cap (160 ms here).
    await expect.poll(() => h.states.filter((s) => s.state === 'retrying' && s.nextAttemptAt).length, { timeout: 5_000 }).toBeGreaterThan(3);
    expect(h.lines.filter((l) => l === 'fleet server not reached')).toHaveLength(1); // said once, not at every attempt

    fleet = await listen(db, port);
    cleanups.push(() => fleet.server.close());
    await h.until((s) => s.state === 'pending');
    expect(h.status().problem).toMatchObject({ code: 'REGISTRATION_PENDING' });
  });

  it('an address that answers something else is FLEET_ANSWER_INVALID, and the database down is a state too', async () => {
    const { createServer } = await import('node:http');
    const proxy = createServer((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => proxy.close(resolve)));
    const h = await headset({ url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}` });
    await h.until((s) => s.state === 'retrying');
    expect(h.status().problem).toMatchObject({ code: 'FLEET_ANSWER_INVALID' });

    const db = await databases.migrated('pglite');
    // The database as a server process sees it when PostgreSQL goes away: every query fails with a connection error.
    let reachable = true;
    const lost = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' });
    const flaky: Database = {
      engine: db.engine,
      query: (sql, params) => (reachable ? db.query(sql, params) : Promise.reject(lost())),
      transaction: (work) => (reachable ? db.transaction(work) : Promise.reject(lost())),
      withConnection: (work) => db.withConnection(work),
      close: () => db.close(),
    };
    const fleet = await listen(flaky);
    cleanups.push(() => fleet.server.close());
    const down = await headset({ url: fleet.url });
    await down.until((s) => s.state === 'pending');
    reachable = false;
    const answer = await down.capability.handlers!['registration.checkNow']!({}, undefined as never);
    expect(answer).toMatchObject({ state: 'retrying', problem: { code: 'DATABASE_UNAVAILABLE' } });
    reachable = true;
    await down.until((s) => s.state === 'pending');
  });
});

describe('without a fleet server', () => {
  it('idles: unmanaged, no journal, no request, and checkNow says none is configured', async () => {
    const h = await headset();
    expect(h.status()).toEqual({
      state: 'unmanaged',
      serverUrl: null,
      serverName: null,
      accepted: false,
      groupTags: [],
      lastCheckInAt: null,
      nextAttemptAt: null,
      problem: null,
    });
    const failure = await Promise.resolve()
      .then(() => h.capability.handlers!['registration.checkNow']!({}, undefined as never))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe('REGISTRATION_NOT_CONFIGURED');
    await expect(readFile(join(h.dir, 'fleet-registration.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(h.states).toEqual([]);
  });
});
