import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_API } from '../src/fleet/deviceApi.js';
import { FLEET_ERROR_AREAS, FLEET_ERROR_CATALOGUE, FLEET_ERROR_CODES, FLEET_ERROR_STATUS, type FleetErrorCode } from '../src/fleet/errors.js';
import { OPERATOR_API } from '../src/fleet/operatorApi.js';
import { startFleetTestServer, TestClock, type FleetTestServer } from '../test-support/fleet/fleetTestServer.js';
import { injectSender, type Answer } from '../test-support/fleet/httpSender.js';
import { OperatorClient } from '../test-support/fleet/OperatorClient.js';
import { sampleInventory } from '../test-support/fleet/TestHeadset.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../test-support/fleet/testDatabases.js';
import { buildServer } from './buildServer.js';
import { CHALLENGE_TTL_MS } from './devices/challenges.js';
import type { Database } from './db/Database.js';
import { PostgresDatabase } from './db/PostgresDatabase.js';
import { argon2idHasher } from './operators/passwords.js';

const doc = readFileSync(new URL('../docs/fleet-errors.md', import.meta.url), 'utf8');
const databases = new TestDatabases();
let server: FleetTestServer;
beforeAll(async () => {
  await databases.prepare(['pglite', 'postgresql']);
  server = await startFleetTestServer(await databases.migrated('pglite'));
}, PREPARE_TIMEOUT_MS);
afterAll(async () => {
  await server.close();
  await databases.close();
});

const json = { 'content-type': 'application/json' };
const post = (url: string, body: string, headers: Record<string, string> = json) => server.send({ method: 'POST', url, headers, body });

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
  NOT_AUTHENTICATED: () => server.send({ method: 'GET', url: OPERATOR_API.devices }),
  LOGIN_FAILED: () => new OperatorClient(server.send).login('nobody', 'nothing at all'),
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
  DEVICE_NOT_FOUND: async () => (await server.operator('viewer')).get(OPERATOR_API.device(crypto.randomUUID())),
  DEVICE_STATE_CONFLICT: async () => {
    const headset = await server.acceptedHeadset();
    return (await server.operator('support')).post(OPERATOR_API.decision(headset.deviceId, 'reject'), {});
  },
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
