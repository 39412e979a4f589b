import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_API } from '../src/fleet/deviceApi.js';
import { FLEET_ERROR_AREAS, FLEET_ERROR_CATALOGUE, FLEET_ERROR_CODES, FLEET_ERROR_STATUS, type FleetErrorCode } from '../src/fleet/errors.js';
import { OPERATOR_API } from '../src/fleet/operatorApi.js';
import { LICENSE_API } from '../src/fleet/licenseApi.js';
import { UPDATE_API, type Rollout } from '../src/fleet/updateApi.js';
import { SUPPORT_API } from '../src/fleet/supportApi.js';
import { TEST_SUPPORT_RELAY } from '../test-support/fleet/supportRelayOffer.js';
import { TRACK_API, type TrackProposalResult } from '../src/fleet/trackApi.js';
import { placedAt, registryTestSignature } from '../src/tracks/registryTestSignatures.js';
import { proposeTrack } from '../test-support/fleet/trackRegistryClient.js';
import { BlobStoreError, type BlobStore } from './blobs/BlobStore.js';
import { FleetUpdateRepository } from '../test-support/fleet/fleetUpdateRepository.js';
import { licenseKeyFromSeed } from './licenses/licenseKey.js';
import { startFleetTestServer, TestClock, type FleetTestServer } from '../test-support/fleet/fleetTestServer.js';
import { injectSender, type Answer } from '../test-support/fleet/httpSender.js';
import { OperatorClient } from '../test-support/fleet/OperatorClient.js';
import { TelemetryHeadset, type SignedExport } from '../test-support/fleet/TelemetryHeadset.js';
import { sampleInventory, TestHeadset } from '../test-support/fleet/TestHeadset.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../test-support/fleet/testDatabases.js';
import { buildServer } from './buildServer.js';
import { CHALLENGE_TTL_MS } from './devices/challenges.js';
import type { Database } from './db/Database.js';
import { PostgresDatabase } from './db/PostgresDatabase.js';
import { argon2idHasher } from './operators/passwords.js';

const doc = readFileSync(new URL('../docs/fleet-errors.md', import.meta.url), 'utf8');
const databases = new TestDatabases();
const work = mkdtempSync(join(tmpdir(), 'fleet-errors-'));
let server: FleetTestServer;
let wearer: TelemetryHeadset;
let vendor: FleetUpdateRepository;
beforeAll(async () => {
  await databases.prepare(['pglite', 'postgresql']);
  server = await startFleetTestServer(await databases.migrated('pglite'));
  wearer = await TelemetryHeadset.create(work, () => server.clock.now());
  await wearer.consent({ usage: true });
  vendor = await FleetUpdateRepository.create();
  await vendor.addVersion('HC-1', '1.1.0');
  await vendor.addVersion('HC-2', '2.0.0');
  await vendor.push(await server.operator('admin'));
}, PREPARE_TIMEOUT_MS);
afterAll(async () => {
  vendor.close();
  await wearer.close();
  await server.close();
  await databases.close();
  rmSync(work, { recursive: true, force: true });
});

const json = { 'content-type': 'application/json' };
/** A fresh logs export of the headset's own making: its usage events, encoded, gzipped and signed as its forwarder does. */
async function usageExport(): Promise<SignedExport> {
  await wearer.recordActivity([`screen-${crypto.randomUUID().slice(0, 8)}`]);
  return (await wearer.exports()).find((e) => e.signal === 'logs')!;
}
const sendExport = (e: SignedExport, headers: Record<string, string> = e.headers, body: Buffer = e.body) =>
  server.send({ method: 'POST', url: e.path, headers, body });
const withoutHeader = (headers: Record<string, string>, name: string) => Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
/** A server of its own with a support relay, closed after `use`. */
async function withSupportServer(use: (own: FleetTestServer) => Promise<Answer>): Promise<Answer> {
  const own = await startFleetTestServer(await databases.migrated('pglite'), { supportRelay: TEST_SUPPORT_RELAY });
  try {
    return await use(own);
  } finally {
    await own.close();
  }
}

/** A server whose limits are low enough to reach in a test. */
async function throttledServer() {
  const app = await buildServer({
    db: await databases.migrated('pglite'),
    clock: new TestClock(),
    passwords: argon2idHasher('minimum'),
    secureCookies: false,
    throttleLimits: {
      challengePerDevice: { name: 'challenge-device', limit: 2, windowMs: 60_000 },
      loginPerUser: { name: 'login-user', limit: 2, windowMs: 60_000 },
    },
  });
  return { app, send: injectSender(app) };
}
const post = (url: string, body: string, headers: Record<string, string> = json) => server.send({ method: 'POST', url, headers, body });
const upload = async (name: string, bytes: string, admin?: OperatorClient) =>
  (admin ?? (await server.operator('admin'))).raw('PUT', UPDATE_API.file(name), bytes, { 'content-type': 'application/octet-stream' });
const rollout = { phases: [10, 100], failureThresholdPercent: 5 };
/** A new layout at a venue where its name and its length-qualified name are both taken: left to an operator. */
async function nameTakenConflict(): Promise<string> {
  const headset = await server.acceptedHeadset();
  const gp = registryTestSignature('brackenfield-park', 2);
  const at = { lat: gp.origin.lat + 5 * Math.random(), lon: gp.origin.lon };
  await proposeTrack(server.send, headset, 'Moor', placedAt(gp, at));
  await proposeTrack(server.send, headset, 'Moor', placedAt(gp, at, Math.PI / 2));
  return (await proposeTrack(server.send, headset, 'Moor', placedAt(gp, at, Math.PI))).json<TrackProposalResult>().conflictId!;
}

/**
 * One scenario per code, through the real server over HTTP semantics (Fastify's inject). Typed as a
 * Record over the codes: a new code does not compile until it has one.
 */
const scenarios: Record<FleetErrorCode, () => Promise<Answer>> = {
  MALFORMED_JSON: () => post(DEVICE_API.challenges, '{"deviceId": '),
  BODY_TOO_LARGE: () => post(DEVICE_API.challenges, JSON.stringify({ deviceId: 'x'.repeat(8 * 1024) })),
  UNSUPPORTED_MEDIA_TYPE: () => post(DEVICE_API.challenges, 'deviceId=1', { 'content-type': 'application/x-www-form-urlencoded' }),
  INVALID_INPUT: () => post(DEVICE_API.challenges, JSON.stringify({ deviceId: 'not-a-uuid' })),
  NOT_FOUND: () => server.send({ method: 'GET', url: '/api/v1/nothing-here' }),
  DATABASE_UNAVAILABLE: async () => {
    const cluster = await databases.postgres();
    const db = await PostgresDatabase.open({ connectionString: await databases.emptyPostgresUrl() });
    const app = await buildServer({ db, clock: new TestClock(), passwords: argon2idHasher('minimum'), secureCookies: false });
    await cluster.stopServer();
    try {
      return await injectSender(app)({
        method: 'POST',
        url: DEVICE_API.challenges,
        headers: json,
        body: JSON.stringify({ deviceId: crypto.randomUUID() }),
      });
    } finally {
      await cluster.startServer();
      await app.close();
      await db.close();
    }
  },
  INTERNAL: async () => {
    const failing: Database = {
      engine: 'pglite',
      query: () => Promise.reject(new Error('a bug, not an outage')),
      transaction: () => Promise.reject(new Error('a bug, not an outage')),
      withConnection: () => Promise.reject(new Error('a bug, not an outage')),
      close: async () => undefined,
    };
    const app = await buildServer({ db: failing, clock: new TestClock(), passwords: argon2idHasher('minimum'), secureCookies: false });
    try {
      return await injectSender(app)({
        method: 'POST',
        url: DEVICE_API.challenges,
        headers: json,
        body: JSON.stringify({ deviceId: crypto.randomUUID() }),
      });
    } finally {
      await app.close();
    }
  },
  CHALLENGE_UNKNOWN: async () => {
    const headset = server.headset();
    return headset.postRegistration({ ...headset.registration(await headset.challenge()), challengeId: crypto.randomUUID() });
  },
  CHALLENGE_EXPIRED: async () => {
    const headset = server.headset();
    const registration = headset.registration(await headset.challenge());
    server.clock.advance(CHALLENGE_TTL_MS + 1);
    return headset.postRegistration(registration);
  },
  CHALLENGE_USED: async () => {
    const headset = server.headset();
    const registration = headset.registration(await headset.challenge());
    await headset.postRegistration(registration);
    return headset.postRegistration(registration);
  },
  REGISTRATION_SIGNATURE_INVALID: async () => {
    const headset = server.headset();
    const registration = headset.registration(await headset.challenge());
    return headset.postRegistration({ ...registration, publicKey: server.headset().publicKey });
  },
  DEVICE_UNKNOWN: () => server.headset().checkIn(),
  REGISTRATION_PENDING: async () => {
    const headset = server.headset();
    await headset.register();
    return headset.checkIn();
  },
  DEVICE_REFUSED: async () => {
    const headset = await server.acceptedHeadset();
    await (await server.operator('support')).post(OPERATOR_API.decision(headset.deviceId, 'decommission'), {});
    return headset.checkIn();
  },
  SIGNATURE_MISSING: () => post(DEVICE_API.checkIns, JSON.stringify({ inventory: sampleInventory() })),
  SIGNATURE_INVALID: async () =>
    server
      .headset()
      .impersonating(await server.acceptedHeadset())
      .checkIn(),
  REQUEST_EXPIRED: async () => (await server.acceptedHeadset()).checkIn(sampleInventory(), { timestamp: server.clock.now().getTime() - 10 * 60_000 }),
  REQUEST_REPLAYED: async () => {
    const request = (await server.acceptedHeadset()).checkInRequest();
    await server.send(request);
    return server.send(request);
  },
  CHALLENGE_THROTTLED: async () => {
    const { app, send } = await throttledServer();
    try {
      const headset = new TestHeadset(send);
      await headset.challenge();
      await headset.challenge();
      return await send({ method: 'POST', url: DEVICE_API.challenges, headers: json, body: JSON.stringify({ deviceId: headset.deviceId }) });
    } finally {
      await app.close();
    }
  },
  NOT_AUTHENTICATED: () => server.send({ method: 'GET', url: OPERATOR_API.devices }),
  LOGIN_FAILED: () => new OperatorClient(server.send).login('nobody', 'nothing at all'),
  LOGIN_THROTTLED: async () => {
    const { app, send } = await throttledServer();
    try {
      const client = new OperatorClient(send);
      for (let i = 0; i < 2; i++) expect((await client.login('mallory', `guess number ${i}`)).json()).toMatchObject({ code: 'LOGIN_FAILED' });
      return await client.login('mallory', 'guess number 3');
    } finally {
      await app.close();
    }
  },
  PASSWORD_CHANGE_REQUIRED: async () => {
    const admin = await server.operator('admin');
    const created = (await admin.post(OPERATOR_API.operators, { username: 'dave', role: 'viewer' })).json<{ oneTimePassword: string }>();
    const dave = new OperatorClient(server.send);
    await dave.login('dave', created.oneTimePassword);
    return dave.get(OPERATOR_API.devices);
  },
  PASSWORD_TOO_WEAK: async () =>
    (await server.operator('viewer')).post(OPERATOR_API.password, { currentPassword: 'correct horse battery staple', newPassword: 'short' }),
  CSRF_TOKEN_INVALID: async () =>
    (await server.operator('admin')).post(OPERATOR_API.preauthorizations, { deviceId: crypto.randomUUID() }, { 'x-csrf-token': 'forged' }),
  ROLE_REQUIRED: async () => (await server.operator('viewer')).put(OPERATOR_API.reregistrationPolicy, { policy: 'accept' }),
  OPERATOR_EXISTS: async () => {
    const admin = await server.operator('admin');
    await admin.post(OPERATOR_API.operators, { username: 'erin', role: 'viewer' });
    return admin.post(OPERATOR_API.operators, { username: 'erin', role: 'viewer' });
  },
  OPERATOR_NOT_FOUND: async () => (await server.operator('admin')).request('PATCH', OPERATOR_API.operator('nobody'), { disabled: true }),
  LAST_ADMIN: async () => {
    // On a server of its own, where this is the only admin: demoting itself would leave none.
    const own = await startFleetTestServer(await databases.migrated('pglite'));
    try {
      const admin = await own.operator('admin');
      const me = (await admin.get(OPERATOR_API.session)).json<{ operator: { username: string } }>().operator.username;
      return await admin.request('PATCH', OPERATOR_API.operator(me), { role: 'support' });
    } finally {
      await own.close();
    }
  },
  PREAUTHORIZATION_NOT_FOUND: async () => (await server.operator('admin')).request('DELETE', OPERATOR_API.preauthorization(crypto.randomUUID())),
  DEVICE_NOT_FOUND: async () => (await server.operator('viewer')).get(OPERATOR_API.device(crypto.randomUUID())),
  DEVICE_STATE_CONFLICT: async () => {
    const headset = await server.acceptedHeadset();
    return (await server.operator('support')).post(OPERATOR_API.decision(headset.deviceId, 'reject'), {});
  },
  TELEMETRY_ENCODING_INVALID: async () => {
    const e = await usageExport();
    return sendExport(e, { ...e.headers, 'content-encoding': 'br' });
  },
  TELEMETRY_TOO_MANY_RECORDS: async () => {
    const e = await usageExport();
    const body = JSON.parse(e.json) as { resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[] };
    const records = body.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    body.resourceLogs[0]!.scopeLogs[0]!.logRecords = Array.from({ length: 513 }, (_, i) => records[i % records.length]);
    return sendExport(wearer.signJson('/v1/logs', JSON.stringify(body)));
  },
  TELEMETRY_SIGNATURE_MISSING: async () => {
    const e = await usageExport();
    return sendExport(e, withoutHeader(e.headers, 'x-headset-signature'));
  },
  TELEMETRY_SIGNATURE_INVALID: async () => {
    const e = await usageExport();
    const tampered = wearer.signJson('/v1/logs', e.json.replace('"severityNumber":9', '"severityNumber":17'));
    return sendExport(e, e.headers, tampered.body);
  },
  TELEMETRY_DATE_SKEWED: async () => {
    const e = await usageExport();
    return sendExport(wearer.signJson('/v1/logs', e.json, new Date(server.clock.now().getTime() - 10 * 60_000)));
  },
  TELEMETRY_REPLAYED: async () => {
    const e = await usageExport();
    expect((await sendExport(e)).json()).toEqual({});
    return sendExport(e);
  },
  // The shared test server has no support relay.
  SUPPORT_NOT_CONFIGURED: async () => {
    const headset = await server.acceptedHeadset();
    return (await server.operator('support')).post(SUPPORT_API.deviceSessions(headset.deviceId), { reason: 'the wearer called' });
  },
  SUPPORT_DEVICE_NOT_ACCEPTED: () =>
    withSupportServer(async (own) => {
      const pending = own.headset();
      await pending.register();
      return (await own.operator('support')).post(SUPPORT_API.deviceSessions(pending.deviceId), { reason: 'the wearer called' });
    }),
  SUPPORT_SESSION_ALREADY_OPEN: () =>
    withSupportServer(async (own) => {
      const headset = await own.acceptedHeadset();
      const support = await own.operator('support');
      await support.post(SUPPORT_API.deviceSessions(headset.deviceId), { reason: 'the wearer called' });
      return support.post(SUPPORT_API.deviceSessions(headset.deviceId), { reason: 'again' });
    }),
  SUPPORT_SESSION_NOT_FOUND: async () => {
    const headset = await server.acceptedHeadset();
    return (await server.operator('support')).post(SUPPORT_API.close(headset.deviceId, crypto.randomUUID()), {});
  },
  // The shared test server has no licence key.
  LICENSING_NOT_CONFIGURED: async () => server.send({ method: 'GET', url: LICENSE_API.revocations }),
  LICENSE_DEVICE_NOT_ACCEPTED: async () => {
    const licensing = await startFleetTestServer(await databases.migrated('pglite'), { licenseKey: licenseKeyFromSeed(new Uint8Array(32).fill(5)) });
    try {
      const pending = licensing.headset();
      await pending.register();
      const support = await licensing.operator('support');
      return await support.post(LICENSE_API.issue(pending.deviceId), {
        licensee: 'Example Clinic',
        features: [],
        expiresAt: '2027-01-01T00:00:00Z',
        graceDays: 7,
      });
    } finally {
      await licensing.close();
    }
  },
  // A disk that fails every write.
  BLOB_STORE_UNAVAILABLE: async () => {
    const failing: BlobStore = {
      put: () => Promise.reject(new BlobStoreError('ENOSPC: no space left on device')),
      size: () => Promise.reject(new BlobStoreError('EIO')),
      read: () => Promise.reject(new BlobStoreError('EIO')),
      move: () => Promise.reject(new BlobStoreError('EIO')),
      delete: () => Promise.reject(new BlobStoreError('EIO')),
    };
    const broken = await startFleetTestServer(await databases.migrated('pglite'), { blobs: failing });
    try {
      return await upload('1.root.json', '{}', await broken.operator('admin'));
    } finally {
      await broken.close();
    }
  },
  UPDATE_FILE_NAME_INVALID: () => upload('cron.d/evil.sh', 'x'),
  UPDATE_FILE_MISMATCH: () => upload(`targets/${'0'.repeat(64)}.headset-9.hcb`, 'not the bytes of that hash'),
  UPDATE_FILE_CONFLICT: async () => {
    const admin = await server.operator('admin');
    await upload('77.root.json', '{"a": 1}', admin);
    return upload('77.root.json', '{"a": 2}', admin);
  },
  UPDATE_REPOSITORY_INCOMPLETE: async () => {
    const timestamp = JSON.parse(readFileSync(join(vendor.served, 'timestamp.json'), 'utf8'));
    timestamp.signed.meta['snapshot.json'].version = 999;
    timestamp.signed.version = 999;
    return (await server.operator('admin')).post(UPDATE_API.publish, timestamp);
  },
  UPDATE_PUBLICATION_STALE: async () =>
    (await server.operator('admin')).raw('POST', UPDATE_API.publish, readFileSync(join(vendor.served, 'timestamp.json')), json),
  ROLLOUT_NOT_FOUND: async () => (await server.operator('viewer')).get(UPDATE_API.rollout(crypto.randomUUID())),
  ROLLOUT_RELEASE_UNKNOWN: async () => (await server.operator('admin')).post(UPDATE_API.rollouts, { ...rollout, model: 'HC-1', version: '9.0.0' }),
  ROLLOUT_ALREADY_RUNNING: async () => {
    const admin = await server.operator('admin');
    await admin.post(UPDATE_API.rollouts, { ...rollout, model: 'HC-1', version: '1.1.0' });
    return admin.post(UPDATE_API.rollouts, { ...rollout, model: 'HC-1', version: '1.1.0' });
  },
  ROLLOUT_STATE_CONFLICT: async () => {
    const admin = await server.operator('admin');
    const created = (await admin.post(UPDATE_API.rollouts, { ...rollout, model: 'HC-2', version: '2.0.0' })).json<Rollout>();
    return admin.post(UPDATE_API.rolloutAction(created.id, 'resume'), { phase: 0 });
  },
  TRACK_SIGNATURE_INVALID: async () => {
    const ring = registryTestSignature('kestrel-ring', 3);
    return proposeTrack(server.send, await server.acceptedHeadset(), 'Kestrel Ring', { ...ring, lengthM: ring.lengthM * 2 });
  },
  TRACK_NOT_FOUND: async () => (await server.operator('support')).put(TRACK_API.trackName(crypto.randomUUID()), { name: 'Anywhere' }),
  TRACK_NAME_TAKEN: async () => {
    const headset = await server.acceptedHeadset();
    const ring = registryTestSignature('kestrel-ring', 3);
    await proposeTrack(server.send, headset, 'Kestrel Ring', ring);
    const kart = (await proposeTrack(server.send, headset, 'Kestrel Kart', placedAt(ring, ring.origin, Math.PI / 2))).json<TrackProposalResult>();
    return (await server.operator('support')).put(TRACK_API.trackName(kart.track!.id), { name: 'kestrel ring' });
  },
  TRACK_CONFLICT_NOT_FOUND: async () => (await server.operator('support')).post(TRACK_API.resolve(crypto.randomUUID()), { action: 'dismiss' }),
  TRACK_CONFLICT_RESOLVED: async () => {
    const conflictId = await nameTakenConflict();
    const support = await server.operator('support');
    await support.post(TRACK_API.resolve(conflictId), { action: 'dismiss' });
    return support.post(TRACK_API.resolve(conflictId), { action: 'dismiss' });
  },
  TRACK_RESOLUTION_INVALID: async () => (await server.operator('support')).post(TRACK_API.resolve(await nameTakenConflict()), { action: 'revise' }),
};

function docSection(code: FleetErrorCode): string | undefined {
  return new RegExp(`^### ${code}\\s*$([\\s\\S]*?)(?=^##|(?![\\s\\S]))`, 'm').exec(doc)?.[1];
}
const codeHeadings = (text: string) => [...text.matchAll(/^### ([A-Z][A-Z_]+)\s*$/gm)].map((m) => m[1]);
const tableRows = (text: string) => [...text.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('fleet error catalogue', () => {
  it.each(FLEET_ERROR_CODES)('%s is answered by the server, with its status and wording', async (code) => {
    const answer = await scenarios[code]();
    expect(answer.json()).toMatchObject({ code });
    expect(answer.status).toBe(FLEET_ERROR_STATUS[code]);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    // A refusal that says when to come back says it in Retry-After too.
    const retryAfter = (answer.json<{ details?: { retryAfterSeconds?: number } }>().details ?? {}).retryAfterSeconds;
    if (retryAfter !== undefined) expect(answer.headers['retry-after']).toBe(String(retryAfter));
  });

  it.each(FLEET_ERROR_CODES)("%s is documented in docs/fleet-errors.md with the catalogue's wording and status", (code) => {
    const section = docSection(code);
    expect(section, `docs/fleet-errors.md has no "### ${code}" section`).toBeDefined();
    expect(section).toContain(`**Meaning:** ${FLEET_ERROR_CATALOGUE[code]}`);
    expect(section).toContain(`**HTTP status:** ${FLEET_ERROR_STATUS[code]}`);
    for (const part of ['**When:**', '**What to do:**', '**Retryable:**']) expect(section).toContain(part);
    expect(doc).toMatch(new RegExp(`^\\| \`${code}\` \\| ${FLEET_ERROR_STATUS[code]} \\| ${escapeRegExp(FLEET_ERROR_CATALOGUE[code])} \\|`, 'm'));
  });

  it('docs/fleet-errors.md has one section per area, in order, with exactly its codes', () => {
    const sections = [...doc.matchAll(/^## (.+?)\s*$([\s\S]*?)(?=^## |(?![\s\S]))/gm)].map((m) => ({ title: m[1]!, body: m[2]! }));
    const areas = Object.values(FLEET_ERROR_AREAS);
    expect(sections.map((s) => s.title)).toEqual(areas.map((a) => a.title));
    areas.forEach((area, i) => {
      expect(codeHeadings(sections[i]!.body)).toEqual(Object.keys(area.codes));
      expect(tableRows(sections[i]!.body)).toEqual(Object.keys(area.codes));
    });
  });

  it('the areas split the catalogue: each code is in exactly one', () => {
    const codes = Object.values(FLEET_ERROR_AREAS).flatMap((area) => Object.keys(area.codes));
    expect(codes.length).toBe(new Set(codes).size);
    expect(new Set(codes)).toEqual(new Set(FLEET_ERROR_CODES));
  });
});
