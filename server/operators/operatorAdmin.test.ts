import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_API, type AuditPage, type CreatedOperator, type OperatorAccount, type Session } from '../../src/fleet/operatorApi.js';
import { startFleetTestServer, TEST_PASSWORD, type FleetTestServer } from '../../test-support/fleet/fleetTestServer.js';
import { OperatorClient } from '../../test-support/fleet/OperatorClient.js';
import { ENGINES, PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';
import { appendAudit } from '../audit.js';
import { readAuditPage } from '../auditRoutes.js';
import { updateOperator } from './accounts.js';

const databases = new TestDatabases();
beforeAll(() => databases.prepare(ENGINES), PREPARE_TIMEOUT_MS);
afterAll(() => databases.close());

const code = (answer: { json: () => Record<string, unknown> }) => answer.json().code;
const nameOf = async (client: OperatorClient) => (await client.get(OPERATOR_API.session)).json<Session>().operator.username;

describe.each(ENGINES)('operators, preauthorizations and the audit log for admins on %s', (engine) => {
  let server: FleetTestServer;
  beforeAll(async () => {
    server = await startFleetTestServer(await databases.migrated(engine));
  });
  afterAll(() => server.close());

  it('an admin lists operators, changes a role (applied at the next request) and disables and enables one', async () => {
    const admin = await server.operator('admin');
    const created = (await admin.post(OPERATOR_API.operators, { username: 'frank', role: 'viewer' })).json<CreatedOperator>();
    const frank = new OperatorClient(server.send);
    await frank.login('frank', created.oneTimePassword);
    await frank.changePassword(created.oneTimePassword, TEST_PASSWORD);

    const list = (await admin.get(OPERATOR_API.operators)).json<{ operators: OperatorAccount[] }>().operators;
    expect(list.find((o) => o.username === 'frank')).toMatchObject({ role: 'viewer', disabled: false, mustChangePassword: false });

    const headset = server.headset();
    await headset.register();
    expect(code(await frank.post(OPERATOR_API.decision(headset.deviceId, 'accept'), {}))).toBe('ROLE_REQUIRED');
    const promoted = await admin.request('PATCH', OPERATOR_API.operator('frank'), { role: 'support' });
    expect(promoted.json<OperatorAccount>()).toMatchObject({ username: 'frank', role: 'support', disabled: false });
    // Frank's own session, unchanged, now carries the new role.
    expect((await frank.post(OPERATOR_API.decision(headset.deviceId, 'accept'), {})).status).toBe(200);

    const disabled = await admin.request('PATCH', OPERATOR_API.operator('frank'), { disabled: true });
    expect(disabled.json<OperatorAccount>().disabled).toBe(true);
    expect(code(await frank.get(OPERATOR_API.devices))).toBe('NOT_AUTHENTICATED');
    // Refused as a wrong password would be: nothing says the account exists but is disabled.
    const refused = await new OperatorClient(server.send).login('frank', TEST_PASSWORD);
    expect([refused.status, code(refused)]).toEqual([401, 'LOGIN_FAILED']);
    const listed = (await admin.get(OPERATOR_API.operators)).json<{ operators: OperatorAccount[] }>().operators;
    expect(listed.at(-1)).toMatchObject({ username: 'frank', disabled: true });

    await admin.request('PATCH', OPERATOR_API.operator('frank'), { disabled: false });
    expect((await new OperatorClient(server.send).login('frank', TEST_PASSWORD)).status).toBe(200);

    const audit = (await admin.get(`${OPERATOR_API.audit}?limit=10`)).json<AuditPage>().entries.filter((e) => e.subject === 'frank');
    expect(audit.map((e) => e.action)).toEqual([
      'operator.enabled',
      'operator.disabled',
      'operator.role-changed',
      'operator.password-changed',
      'operator.created',
    ]);
    expect(audit[2]!.details).toEqual({ from: 'viewer', to: 'support' });
    expect(audit[0]!.actor).toBe(await nameOf(admin));
  });

  it('refuses the changes that would leave no enabled admin, also when two admins disable each other at once', async () => {
    const own = await startFleetTestServer(await databases.migrated(engine));
    try {
      const a = await own.operator('admin');
      const nameA = await nameOf(a);
      expect(code(await a.request('PATCH', OPERATOR_API.operator(nameA), { disabled: true }))).toBe('LAST_ADMIN');
      expect(code(await a.request('PATCH', OPERATOR_API.operator(nameA), { role: 'viewer' }))).toBe('LAST_ADMIN');
      const b = await own.operator('admin');
      const nameB = await nameOf(b);
      // With another admin, one may step down.
      expect((await a.request('PATCH', OPERATOR_API.operator(nameA), { role: 'support' })).status).toBe(200);
      expect(code(await b.request('PATCH', OPERATOR_API.operator(nameB), { disabled: true }))).toBe('LAST_ADMIN');
      await b.request('PATCH', OPERATOR_API.operator(nameA), { role: 'admin' });

      // At once (the functions themselves, past the session checks): exactly one goes through.
      const results = await Promise.allSettled([
        updateOperator(own.db, own.clock, nameA, nameB, { disabled: true }),
        updateOperator(own.db, own.clock, nameB, nameA, { disabled: true }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect((rejected.reason as { code: string }).code).toBe('LAST_ADMIN');
      const enabledAdmins = await own.db.query(`SELECT 1 FROM operators WHERE role = 'admin' AND disabled_at IS NULL`);
      expect(enabledAdmins.rowCount).toBe(1);
    } finally {
      await own.close();
    }
  });

  it('only admins list, change, remove preauthorizations or read the audit log; bad input is refused', async () => {
    const support = await server.operator('support');
    for (const answer of [
      await support.get(OPERATOR_API.operators),
      await support.request('PATCH', OPERATOR_API.operator('frank'), { disabled: true }),
      await support.request('DELETE', OPERATOR_API.preauthorization(crypto.randomUUID())),
      await support.get(OPERATOR_API.audit),
    ])
      expect(code(answer)).toBe('ROLE_REQUIRED');
    const admin = await server.operator('admin');
    expect(code(await admin.request('PATCH', OPERATOR_API.operator('frank'), {}))).toBe('INVALID_INPUT');
    expect(code(await admin.request('PATCH', OPERATOR_API.operator('frank'), { role: 'root' }))).toBe('INVALID_INPUT');
    expect(code(await admin.request('PATCH', OPERATOR_API.operator('Not A Name'), { disabled: true }))).toBe('INVALID_INPUT');
    expect(code(await admin.request('PATCH', OPERATOR_API.operator('nobody'), { disabled: true }))).toBe('OPERATOR_NOT_FOUND');
    expect(code(await admin.request('DELETE', OPERATOR_API.preauthorization('not-a-uuid')))).toBe('INVALID_INPUT');
    expect(code(await admin.get(`${OPERATOR_API.audit}?limit=0`))).toBe('INVALID_INPUT');
    expect(code(await admin.get(`${OPERATOR_API.audit}?limit=201`))).toBe('INVALID_INPUT');
    expect(code(await admin.get(`${OPERATOR_API.audit}?before=x`))).toBe('INVALID_INPUT');
  });

  it('a removed preauthorization no longer accepts the headset, and the removal is audited', async () => {
    const admin = await server.operator('admin');
    const headset = server.headset();
    expect((await admin.post(OPERATOR_API.preauthorizations, { deviceId: headset.deviceId })).status).toBe(204);
    const listed = (await admin.get(OPERATOR_API.preauthorizations)).json<{ preauthorizations: { deviceId: string }[] }>();
    expect(listed.preauthorizations.map((p) => p.deviceId)).toContain(headset.deviceId);
    expect((await admin.request('DELETE', OPERATOR_API.preauthorization(headset.deviceId))).status).toBe(204);
    expect(code(await admin.request('DELETE', OPERATOR_API.preauthorization(headset.deviceId)))).toBe('PREAUTHORIZATION_NOT_FOUND');
    const after = (await admin.get(OPERATOR_API.preauthorizations)).json<{ preauthorizations: { deviceId: string }[] }>();
    expect(after.preauthorizations.map((p) => p.deviceId)).not.toContain(headset.deviceId);
    await headset.register();
    expect((await admin.get(OPERATOR_API.device(headset.deviceId))).json()).toMatchObject({ status: 'pending' });
    const audit = (await admin.get(OPERATOR_API.audit)).json<AuditPage>().entries.filter((e) => e.subject === headset.deviceId);
    expect(audit.map((e) => e.action)).toContain('device.preauthorization-removed');
  });

  it('pages the audit log newest first by id: pages do not overlap, miss nothing, and ignore entries written meanwhile', async () => {
    const db = await databases.migrated(engine);
    for (let i = 0; i < 7; i++)
      await appendAudit(db, { at: new Date(Date.UTC(2026, 0, 1, 0, i)), actor: 'test', action: 'test.entry', subject: `s${i}` });
    const first = await readAuditPage(db, { limit: 3 });
    expect(first.entries.map((e) => e.subject)).toEqual(['s6', 's5', 's4']);
    await appendAudit(db, { at: new Date(), actor: 'test', action: 'test.entry', subject: 'late' });
    const second = await readAuditPage(db, { before: first.nextBefore!, limit: 3 });
    expect(second.entries.map((e) => e.subject)).toEqual(['s3', 's2', 's1']);
    const last = await readAuditPage(db, { before: second.nextBefore!, limit: 3 });
    expect(last.entries.map((e) => e.subject)).toEqual(['s0']);
    expect(last.nextBefore).toBeNull();
    expect(typeof first.entries[0]!.id).toBe('number');
  });
});
