import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { LICENSE_API, type IssuedLicenseList } from '../../src/fleet/licenseApi.js';
import { fromBase64, licenseSigningBytes, parseLicenseFile } from '../../src/licensing/licenseFile.js';
import { revocationSigningBytes } from '../../src/licensing/revocationList.js';
import { startFleetTestServer, type FleetTestServer } from '../../test-support/fleet/fleetTestServer.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';
import { licenseKeyFromSeed } from './licenseKey.js';

/** Issuing and revoking licences on the fleet server (PGlite), checked with the vendor's public key. */
const databases = new TestDatabases();
let server: FleetTestServer;
const seed = new Uint8Array(32).fill(11);
// The public key of that seed, derived by Node: what a headset's trust folder holds.
const publicKey = createPublicKey(
  createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed)]), format: 'der', type: 'pkcs8' }),
);
const verifies = (signature: string, message: Uint8Array) => verify(null, message, publicKey, Buffer.from(fromBase64(signature)));

beforeAll(async () => {
  await databases.prepare(['pglite']);
  server = await startFleetTestServer(await databases.migrated('pglite'), { licenseKey: licenseKeyFromSeed(seed) });
}, PREPARE_TIMEOUT_MS);
afterAll(async () => {
  await server.close();
  await databases.close();
});

it('issues a signed licence to an accepted headset, bound to its device id or its registered key; a viewer may not', async () => {
  const headset = await server.acceptedHeadset();
  const support = await server.operator('support');
  const request = { licensee: 'Example Clinic', features: ['tracks', 'remote-support'], expiresAt: '2027-06-01T00:00:00Z', graceDays: 14 };
  const answer = await support.post(LICENSE_API.issue(headset.deviceId), request);
  expect(answer.status).toBe(200);
  const file = parseLicenseFile(answer.json<{ file: string }>().file);
  expect(file.license).toMatchObject({
    licensee: 'Example Clinic',
    binding: { kind: 'device', deviceId: headset.deviceId },
    features: ['remote-support', 'tracks'],
  });
  expect(verifies(file.signature, licenseSigningBytes(file.license))).toBe(true);
  const byKey = await support.post(LICENSE_API.issue(headset.deviceId), { ...request, binding: 'identityKey' });
  expect(parseLicenseFile(byKey.json<{ file: string }>().file).license.binding).toEqual({ kind: 'identityKey', publicKey: headset.publicKey });
  expect((await (await server.operator('viewer')).post(LICENSE_API.issue(headset.deviceId), request)).json()).toMatchObject({
    code: 'ROLE_REQUIRED',
  });
  expect((await support.post(LICENSE_API.issue(crypto.randomUUID()), request)).json()).toMatchObject({ code: 'DEVICE_NOT_FOUND' });
  expect((await support.post(LICENSE_API.issue(headset.deviceId), { ...request, expiresAt: '2020-01-01T00:00:00Z' })).json()).toMatchObject({
    code: 'INVALID_INPUT',
  });
});

it('a revocation signs a new, higher list version at once, served to anyone', async () => {
  const headset = await server.acceptedHeadset();
  const support = await server.operator('support');
  const first = await server.send({ method: 'GET', url: LICENSE_API.revocations });
  const before = JSON.parse(first.text) as { list: { version: number; serials: string[] }; signature: string };
  expect(verifies(before.signature, revocationSigningBytes(before.list as never))).toBe(true);
  const issued = await support.post(LICENSE_API.issue(headset.deviceId), {
    licensee: 'X',
    features: [],
    expiresAt: '2027-06-01T00:00:00Z',
    graceDays: 0,
  });
  const serial = issued.json<{ serial: string }>().serial;
  const revoked = await support.post(LICENSE_API.revoke(serial), {});
  expect(revoked.json()).toEqual({ serial, revocationListVersion: before.list.version + 1 });
  const after = JSON.parse((await server.send({ method: 'GET', url: LICENSE_API.revocations })).text) as typeof before;
  expect(after.list.version).toBe(before.list.version + 1);
  expect(after.list.serials).toContain(serial);
  expect(verifies(after.signature, revocationSigningBytes(after.list as never))).toBe(true);
  expect((await support.post(LICENSE_API.revoke('HC-unknown'), {})).json()).toMatchObject({ code: 'NOT_FOUND' });
});

it('lists every licence issued, newest first, with its state on the server clock (active, expiring soon, not yet valid, revoked, then grace and expired); viewers may read it', async () => {
  const headset = await server.acceptedHeadset();
  const support = await server.operator('support');
  const day = 86_400_000;
  const at = (days: number) => `${new Date(server.clock.now().getTime() + days * day).toISOString().slice(0, 19)}Z`;
  const issue = async (licensee: string, request: { notBefore?: string; expiresAt: string; graceDays: number }) => {
    const answer = await support.post(LICENSE_API.issue(headset.deviceId), { licensee, features: ['tracks'], ...request });
    expect(answer.status, answer.text).toBe(200);
    server.clock.advance(1000); // issued one after the other: the list's order is theirs
    return answer.json<{ serial: string; file: string }>();
  };
  const long = await issue('Long', { expiresAt: at(200), graceDays: 14 });
  const short = await issue('Short', { expiresAt: at(10), graceDays: 5 });
  const later = await issue('Later', { notBefore: at(5), expiresAt: at(100), graceDays: 0 });
  const withdrawn = await issue('Withdrawn', { expiresAt: at(100), graceDays: 0 });
  expect((await support.post(LICENSE_API.revoke(withdrawn.serial), {})).status).toBe(200);

  // A new viewer each time: moving the clock by days ends a session.
  const list = async () => {
    const answer = await (await server.operator('viewer')).get(LICENSE_API.list);
    expect(answer.status, answer.text).toBe(200);
    const body = answer.json<IssuedLicenseList>();
    expect(body.truncated).toBe(false);
    return new Map(body.licenses.map((l) => [l.serial, l]));
  };
  const first = await list();
  const serials = [...first.keys()];
  expect(serials.indexOf(withdrawn.serial)).toBeLessThan(serials.indexOf(long.serial));
  expect(first.get(long.serial)).toMatchObject({
    deviceId: headset.deviceId,
    licensee: 'Long',
    binding: 'device',
    features: ['tracks'],
    graceDays: 14,
    issuedBy: expect.any(String),
    revokedAt: null,
    state: 'active',
    file: long.file,
  });
  expect(first.get(long.serial)!.daysLeft).toBeGreaterThanOrEqual(199);
  expect(first.get(short.serial)).toMatchObject({ state: 'expiringSoon' });
  expect(first.get(later.serial)).toMatchObject({ state: 'notYetValid', daysLeft: null });
  expect(first.get(withdrawn.serial)).toMatchObject({
    state: 'revoked',
    revokedAt: expect.any(String),
    revokedBy: expect.any(String),
    daysLeft: null,
  });

  server.clock.advance(12 * day);
  expect((await list()).get(short.serial)).toMatchObject({ state: 'grace', daysLeft: 3 });
  server.clock.advance(10 * day);
  const end = await list();
  expect(end.get(short.serial)).toMatchObject({ state: 'expired', daysLeft: null });
  expect(end.get(later.serial)).toMatchObject({ state: 'active' });

  expect((await server.send({ method: 'GET', url: LICENSE_API.list })).json()).toMatchObject({ code: 'NOT_AUTHENTICATED' });
});
