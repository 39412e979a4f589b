import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, OPERATOR_API, type Session } from '../../src/fleet/operatorApi.js';
import { buildServer } from '../buildServer.js';
import { startFleetTestServer, TEST_PASSWORD, type FleetTestServer } from '../../test-support/fleet/fleetTestServer.js';
import { injectSender } from '../../test-support/fleet/httpSender.js';
import { OperatorClient } from '../../test-support/fleet/OperatorClient.js';
import { ENGINES, PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';
import { FIRST_ADMIN, createFirstAdmin } from './accounts.js';
import { argon2idHasher } from './passwords.js';

const databases = new TestDatabases();
beforeAll(() => databases.prepare(ENGINES), PREPARE_TIMEOUT_MS);
afterAll(() => databases.close());

const code = (answer: { json: () => Record<string, unknown> }) => answer.json().code;

describe.each(ENGINES)('operator accounts on %s', (engine) => {
  let server: FleetTestServer;
  beforeAll(async () => {
    server = await startFleetTestServer(await databases.migrated(engine));
  });
  afterAll(() => server.close());

  it('the first admin is made once, with a one-time password that must be changed before anything else', async () => {
    const hasher = argon2idHasher('minimum');
    const oneTime = await createFirstAdmin(server.db, hasher, server.clock);
    expect(oneTime).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect(await createFirstAdmin(server.db, hasher, server.clock)).toBeUndefined();
    const stored = (await server.db.query<{ password_hash: string }>('SELECT password_hash FROM operators WHERE username = $1', [FIRST_ADMIN]))
      .rows[0]!;
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    expect(stored.password_hash).not.toContain(oneTime);

    const admin = new OperatorClient(server.send);
    const login = await admin.login(FIRST_ADMIN, oneTime!);
    expect(login.json<Session>().operator).toEqual({ username: FIRST_ADMIN, role: 'admin', mustChangePassword: true });
    const blocked = await admin.get(OPERATOR_API.devices);
    expect([blocked.status, code(blocked)]).toEqual([403, 'PASSWORD_CHANGE_REQUIRED']);
    expect(code(await admin.changePassword(oneTime!, 'short'))).toBe('PASSWORD_TOO_WEAK');
    expect(code(await admin.changePassword(oneTime!, oneTime!))).toBe('PASSWORD_TOO_WEAK');
    expect(code(await admin.changePassword('not the password', TEST_PASSWORD))).toBe('LOGIN_FAILED');

    const oldCookie = admin.cookie;
    const changed = await admin.changePassword(oneTime!, TEST_PASSWORD);
    expect(changed.json<Session>().operator.mustChangePassword).toBe(false);
    expect(admin.cookie).not.toBe(oldCookie);
    expect((await admin.get(OPERATOR_API.devices)).status).toBe(200);
    // The session opened with the one-time password is over, and the password itself too.
    const stale = new OperatorClient(server.send);
    stale.cookie = oldCookie;
    expect(code(await stale.get(OPERATOR_API.session))).toBe('NOT_AUTHENTICATED');
    expect(code(await new OperatorClient(server.send).login(FIRST_ADMIN, oneTime!))).toBe('LOGIN_FAILED');
  });

  it('the session cookie is HttpOnly, SameSite=Strict and, when asked, Secure', async () => {
    const viewer = await server.operator('viewer');
    const answer = await viewer.post(OPERATOR_API.password, { currentPassword: TEST_PASSWORD, newPassword: `${TEST_PASSWORD}!` });
    const cookie = String(answer.headers['set-cookie']);
    expect(cookie).toMatch(/^hc_fleet_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);

    const secure = await buildServer({ db: server.db, clock: server.clock, passwords: argon2idHasher('minimum'), secureCookies: true });
    const client = new OperatorClient(injectSender(secure));
    const viewerName = (await viewer.get(OPERATOR_API.session)).json<Session>().operator.username;
    const ok = await client.login(viewerName, `${TEST_PASSWORD}!`);
    expect(String(ok.headers['set-cookie'])).toMatch(/; Secure$/);
    await secure.close();
  });

  it('a wrong password and an unknown user are refused alike', async () => {
    const viewer = await server.operator('viewer');
    const name = (await viewer.get(OPERATOR_API.session)).json<Session>().operator.username;
    for (const [username, password] of [
      [name, 'wrong password here'],
      ['nobody', TEST_PASSWORD],
    ]) {
      const answer = await new OperatorClient(server.send).login(username!, password!);
      expect([answer.status, answer.json()]).toEqual([401, { code: 'LOGIN_FAILED', message: 'The user name or the password is wrong.' }]);
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
  });

  it('a state-changing request needs the session’s CSRF token; reading does not', async () => {
    const headset = server.headset();
    await headset.register();
    const support = await server.operator('support');
    const other = await server.operator('support');
    const accept = OPERATOR_API.decision(headset.deviceId, 'accept');
    for (const headers of [{ [CSRF_HEADER]: '' }, { [CSRF_HEADER]: 'x'.repeat(43) }, { [CSRF_HEADER]: other.csrfToken! }]) {
      const refused = await support.post(accept, {}, headers);
      expect([refused.status, code(refused)]).toEqual([403, 'CSRF_TOKEN_INVALID']);
    }
    expect((await support.post(accept, {})).status).toBe(200);
    support.csrfToken = undefined;
    expect((await support.get(OPERATOR_API.device(headset.deviceId))).status).toBe(200);
    expect(code(await support.post(OPERATOR_API.decision(headset.deviceId, 'decommission'), {}))).toBe('CSRF_TOKEN_INVALID');
  });

  it('each role does what it may and is refused the rest', async () => {
    const viewer = await server.operator('viewer');
    const support = await server.operator('support');
    const admin = await server.operator('admin');
    const headset = server.headset();
    await headset.register();

    expect((await viewer.get(OPERATOR_API.devices)).status).toBe(200);
    const refused = await viewer.post(OPERATOR_API.decision(headset.deviceId, 'accept'), {});
    expect([refused.status, code(refused)]).toEqual([403, 'ROLE_REQUIRED']);
    expect(code(await support.post(OPERATOR_API.operators, { username: 'eve', role: 'admin' }))).toBe('ROLE_REQUIRED');
    expect(code(await support.post(OPERATOR_API.preauthorizations, { deviceId: headset.deviceId }))).toBe('ROLE_REQUIRED');
    expect(code(await support.put(OPERATOR_API.reregistrationPolicy, { policy: 'accept' }))).toBe('ROLE_REQUIRED');
    expect((await support.post(OPERATOR_API.decision(headset.deviceId, 'accept'), {})).status).toBe(200);

    const created = await admin.post(OPERATOR_API.operators, { username: 'carol', role: 'viewer' });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ username: 'carol', role: 'viewer', mustChangePassword: true });
    expect(code(await admin.post(OPERATOR_API.operators, { username: 'carol', role: 'admin' }))).toBe('OPERATOR_EXISTS');
    const carol = new OperatorClient(server.send);
    expect((await carol.login('carol', created.json<{ oneTimePassword: string }>().oneTimePassword)).status).toBe(200);
    expect(code(await carol.get(OPERATOR_API.devices))).toBe('PASSWORD_CHANGE_REQUIRED');
  });

  it('a decision the headset’s state does not allow is refused, and so is an unknown headset', async () => {
    const support = await server.operator('support');
    const headset = await server.acceptedHeadset();
    const conflict = await support.post(OPERATOR_API.decision(headset.deviceId, 'reject'), {});
    expect([conflict.status, code(conflict)]).toEqual([409, 'DEVICE_STATE_CONFLICT']);
    await support.post(OPERATOR_API.decision(headset.deviceId, 'decommission'), {});
    expect(code(await support.post(OPERATOR_API.decision(headset.deviceId, 'accept'), {}))).toBe('DEVICE_STATE_CONFLICT');
    const unknown = await support.get(OPERATOR_API.device('00000000-0000-4000-8000-000000000000'));
    expect([unknown.status, code(unknown)]).toEqual([404, 'DEVICE_NOT_FOUND']);
  });

  it('logging out ends the session', async () => {
    const viewer = await server.operator('viewer');
    const cookie = viewer.cookie;
    expect((await viewer.post(OPERATOR_API.logout, {})).status).toBe(204);
    const after = new OperatorClient(server.send);
    after.cookie = cookie;
    expect(code(await after.get(OPERATOR_API.devices))).toBe('NOT_AUTHENTICATED');
  });
});
