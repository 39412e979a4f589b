import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInResultSchema } from '../../src/fleet/deviceApi.js';
import { OPERATOR_API, type AuditPage } from '../../src/fleet/operatorApi.js';
import { SUPPORT_API, type SupportSession } from '../../src/fleet/supportApi.js';
import { startFleetTestServer, type FleetTestServer } from '../../test-support/fleet/fleetTestServer.js';
import { TEST_SUPPORT_RELAY } from '../../test-support/fleet/supportRelayOffer.js';
import type { TestHeadset } from '../../test-support/fleet/TestHeadset.js';
import { ENGINES, PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';

const databases = new TestDatabases();
beforeAll(() => databases.prepare(ENGINES), PREPARE_TIMEOUT_MS);
afterAll(() => databases.close());

const code = (answer: { json: () => Record<string, unknown> }) => answer.json().code;
const supportAtCheckIn = async (headset: TestHeadset) => {
  const answer = await headset.checkIn();
  expect(answer.status).toBe(200);
  return checkInResultSchema.parse(answer.json()).support ?? null;
};

describe.each(ENGINES)('support sessions on %s', (engine) => {
  let server: FleetTestServer;
  beforeAll(async () => {
    server = await startFleetTestServer(await databases.migrated(engine), { supportRelay: TEST_SUPPORT_RELAY });
  });
  afterAll(() => server.close());

  it('an operator opens one, the headset gets it with the relay in its signed check-in answer, closing it stops the offer', async () => {
    const headset = await server.acceptedHeadset();
    const other = await server.acceptedHeadset();
    const support = await server.operator('support');
    const viewer = await server.operator('viewer');
    expect(await supportAtCheckIn(headset)).toBeNull();
    expect(code(await viewer.post(SUPPORT_API.deviceSessions(headset.deviceId), { reason: 'x' }))).toBe('ROLE_REQUIRED');

    const opened = await support.post(SUPPORT_API.deviceSessions(headset.deviceId), { reason: 'the wearer called about Wi-Fi', minutes: 30 });
    expect(opened.status).toBe(201);
    const session = opened.json<SupportSession>();
    expect(session).toMatchObject({ deviceId: headset.deviceId, state: 'open', relayName: 'Example support', deliveredAt: null, closedAt: null });
    expect(Date.parse(session.expiresAt) - Date.parse(session.openedAt)).toBe(30 * 60_000);

    const offer = await supportAtCheckIn(headset);
    expect(offer).toEqual({ sessionId: session.sessionId, expiresAt: session.expiresAt, relay: TEST_SUPPORT_RELAY });
    expect(await supportAtCheckIn(other)).toBeNull();

    const listed = (await viewer.get(SUPPORT_API.deviceSessions(headset.deviceId))).json<{ sessions: SupportSession[] }>().sessions;
    expect(listed).toHaveLength(1);
    expect(listed[0]!.deliveredAt).not.toBeNull();
    const open = (await viewer.get(SUPPORT_API.open)).json<{ sessions: SupportSession[] }>().sessions;
    expect(open.map((s) => s.sessionId)).toContain(session.sessionId);

    // Another headset's id does not reach this session.
    expect(code(await support.post(SUPPORT_API.close(other.deviceId, session.sessionId), {}))).toBe('SUPPORT_SESSION_NOT_FOUND');
    const closed = await support.post(SUPPORT_API.close(headset.deviceId, session.sessionId), {});
    expect(closed.json<SupportSession>()).toMatchObject({ state: 'closed', closedBy: expect.stringMatching(/^support/) });
    expect(await supportAtCheckIn(headset)).toBeNull();
    // Closing again answers it as it is.
    expect((await support.post(SUPPORT_API.close(headset.deviceId, session.sessionId), {})).json<SupportSession>().state).toBe('closed');
    expect((await viewer.get(SUPPORT_API.open)).json<{ sessions: SupportSession[] }>().sessions.map((s) => s.sessionId)).not.toContain(
      session.sessionId,
    );

    const admin = await server.operator('admin');
    const audit = (await admin.get(`${OPERATOR_API.audit}?limit=200`)).json<AuditPage>().entries.filter((e) => e.subject === headset.deviceId);
    expect(audit.map((e) => e.action).slice(0, 2)).toEqual(['support.session-closed', 'support.session-opened']);
    expect(audit[1]!.details).toMatchObject({
      sessionId: session.sessionId,
      minutes: 30,
      reason: 'the wearer called about Wi-Fi',
      relay: 'Example support',
    });
  });

  it('ends by itself at its end, after which another may be opened', async () => {
    const headset = await server.acceptedHeadset();
    const support = await server.operator('support');
    const first = (await support.post(SUPPORT_API.deviceSessions(headset.deviceId), { reason: 'short', minutes: 5 })).json<SupportSession>();
    expect(first.state).toBe('open');
    server.clock.advance(5 * 60_000);
    expect(await supportAtCheckIn(headset)).toBeNull();
    const listed = (await support.get(SUPPORT_API.deviceSessions(headset.deviceId))).json<{ sessions: SupportSession[] }>().sessions;
    expect(listed[0]).toMatchObject({ sessionId: first.sessionId, state: 'expired' });
    const second = await support.post(SUPPORT_API.deviceSessions(headset.deviceId), { reason: 'again' });
    expect(second.status).toBe(201);
    expect((await supportAtCheckIn(headset))?.sessionId).toBe(second.json<SupportSession>().sessionId);
    const after = (await support.get(SUPPORT_API.deviceSessions(headset.deviceId))).json<{ sessions: SupportSession[] }>().sessions;
    expect(after.map((s) => s.state)).toEqual(['open', 'expired']);
  });

  it('two operators opening at once: one session, the other told which is open', async () => {
    const headset = await server.acceptedHeadset();
    const [a, b] = [await server.operator('support'), await server.operator('support')];
    const answers = await Promise.all([
      a.post(SUPPORT_API.deviceSessions(headset.deviceId), { reason: 'a' }),
      b.post(SUPPORT_API.deviceSessions(headset.deviceId), { reason: 'b' }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    const won = answers.find((r) => r.status === 201)!.json<SupportSession>();
    const lost = answers.find((r) => r.status === 409)!.json<{ code: string; details: { sessionId: string } }>();
    expect(lost).toMatchObject({ code: 'SUPPORT_SESSION_ALREADY_OPEN', details: { sessionId: won.sessionId } });
  });

  it('refuses bad input, and headsets not accepted', async () => {
    const headset = await server.acceptedHeadset();
    const support = await server.operator('support');
    const url = SUPPORT_API.deviceSessions(headset.deviceId);
    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x', minutes: 4 }, { reason: 'x', minutes: 481 }, { reason: 'x', extra: 1 }])
      expect(code(await support.post(url, body))).toBe('INVALID_INPUT');
    expect(code(await support.post(SUPPORT_API.deviceSessions('not-a-uuid'), { reason: 'x' }))).toBe('INVALID_INPUT');
    expect(code(await support.post(SUPPORT_API.deviceSessions(crypto.randomUUID()), { reason: 'x' }))).toBe('SUPPORT_DEVICE_NOT_ACCEPTED');
    const decommissioned = await server.acceptedHeadset();
    await support.post(OPERATOR_API.decision(decommissioned.deviceId, 'decommission'), {});
    const refused = await support.post(SUPPORT_API.deviceSessions(decommissioned.deviceId), { reason: 'x' });
    expect(refused.json()).toMatchObject({ code: 'SUPPORT_DEVICE_NOT_ACCEPTED', details: { status: 'decommissioned' } });
  });
});
