import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceDetail, DeviceList } from '../../src/fleet/operatorApi.js';
import { OPERATOR_API } from '../../src/fleet/operatorApi.js';
import { startFleetTestServer, type FleetTestServer } from '../../test-support/fleet/fleetTestServer.js';
import type { OperatorClient } from '../../test-support/fleet/OperatorClient.js';
import { sampleInventory, TestHeadset } from '../../test-support/fleet/TestHeadset.js';
import { ENGINES, PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';
import { CHALLENGE_TTL_MS } from './challenges.js';

const databases = new TestDatabases();
beforeAll(() => databases.prepare(ENGINES), PREPARE_TIMEOUT_MS);
afterAll(() => databases.close());

describe.each(ENGINES)('registration and inventory on %s', (engine) => {
  let server: FleetTestServer;
  let admin: OperatorClient;
  let support: OperatorClient;
  beforeAll(async () => {
    server = await startFleetTestServer(await databases.migrated(engine));
    admin = await server.operator('admin');
    support = await server.operator('support');
  });
  afterAll(() => server.close());

  const code = (answer: { json: () => Record<string, unknown> }) => answer.json().code;
  const device = async (headset: TestHeadset) => (await admin.get(OPERATOR_API.device(headset.deviceId))).json<DeviceDetail>();

  it('a new headset waits for an operator, then reports its inventory once accepted', async () => {
    const headset = server.headset();
    const registered = await headset.register();
    expect(registered.status).toBe(200);
    expect(registered.json()).toEqual({ deviceId: headset.deviceId, status: 'pending' });
    const waiting = await headset.checkIn();
    expect([waiting.status, code(waiting)]).toEqual([403, 'REGISTRATION_PENDING']);

    const list = (await support.get(`${OPERATOR_API.devices}?status=pending`)).json<DeviceList>();
    expect(list.devices.map((d) => d.deviceId)).toContain(headset.deviceId);
    expect((await support.post(OPERATOR_API.decision(headset.deviceId, 'accept'), {})).status).toBe(200);

    const inventory = sampleInventory({ groupTags: ['site:lyon'] });
    const checkIn = await headset.checkIn(inventory);
    expect(checkIn.status).toBe(200);
    expect(checkIn.json()).toMatchObject({ nextCheckInSeconds: 60 });
    const page = await device(headset);
    expect(page).toMatchObject({
      status: 'accepted',
      statusChangedBy: 'support2',
      model: 'HC-1',
      groupTags: ['site:lyon'],
      inventory,
      publicKey: headset.publicKey,
    });
    expect(page.lastSeenAt).toBe(server.clock.now().toISOString());
  });

  it('a preauthorized device id is accepted at once, and the preauthorization is used up', async () => {
    const headset = server.headset();
    expect((await admin.post(OPERATOR_API.preauthorizations, { deviceId: headset.deviceId.toUpperCase() })).status).toBe(204);
    expect((await headset.register()).json()).toMatchObject({ status: 'accepted' });
    expect((await headset.checkIn()).status).toBe(200);
    const left = (await admin.get(OPERATOR_API.preauthorizations)).json<{ preauthorizations: { deviceId: string }[] }>();
    expect(left.preauthorizations.map((p) => p.deviceId)).not.toContain(headset.deviceId);
  });

  it('a registration is refused when replayed: each challenge is answered once', async () => {
    const headset = server.headset();
    const registration = headset.registration(await headset.challenge());
    expect((await headset.postRegistration(registration)).status).toBe(200);
    const replay = await headset.postRegistration(registration);
    expect([replay.status, code(replay)]).toEqual([401, 'CHALLENGE_USED']);
  });

  it('of several answers to one challenge sent at once, exactly one is taken', async () => {
    const headset = server.headset();
    const registration = headset.registration(await headset.challenge());
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => headset.postRegistration(registration)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status !== 200).map(code)).toEqual(['CHALLENGE_USED', 'CHALLENGE_USED', 'CHALLENGE_USED', 'CHALLENGE_USED']);
  });

  it('a forged registration is refused and does not use up the real headset’s challenge', async () => {
    const headset = server.headset();
    const challenge = await headset.challenge();
    const genuine = headset.registration(challenge);
    // Someone else's signature over the same message, presented with this headset's key.
    const forged = { ...genuine, signature: new TestHeadset(server.send).signText('hc-fleet-register-v1') };
    const refused = await headset.postRegistration(forged);
    expect([refused.status, code(refused)]).toEqual([401, 'REGISTRATION_SIGNATURE_INVALID']);
    // A genuine signature over another challenge's nonce does not fit this one either.
    const other = headset.registration(await headset.challenge());
    expect(code(await headset.postRegistration({ ...other, challengeId: challenge.challengeId }))).toBe('REGISTRATION_SIGNATURE_INVALID');
    expect((await headset.postRegistration(genuine)).status).toBe(200);
  });

  it('a challenge answers only for the device id it was issued to, and only until it expires', async () => {
    const headset = server.headset();
    const stranger = server.headset();
    const foreign = stranger.registration(await headset.challenge());
    expect(code(await stranger.postRegistration(foreign))).toBe('CHALLENGE_UNKNOWN');
    const late = headset.registration(await headset.challenge());
    server.clock.advance(CHALLENGE_TTL_MS + 1);
    expect(code(await headset.postRegistration(late))).toBe('CHALLENGE_EXPIRED');
  });

  it('after a factory reset the new key waits for approval while the old one keeps working', async () => {
    const before = await server.acceptedHeadset();
    const after = before.afterFactoryReset();
    expect((await after.register()).json()).toMatchObject({ status: 'pending' });
    expect(code(await after.checkIn())).toBe('REGISTRATION_PENDING');
    expect((await before.checkIn()).status).toBe(200);
    const listed = (await admin.get(OPERATOR_API.devices)).json<DeviceList>().devices.find((d) => d.deviceId === before.deviceId);
    expect(listed).toMatchObject({ status: 'accepted', keyAwaitingApproval: true, reregistered: true });

    await support.post(OPERATOR_API.decision(before.deviceId, 'accept'), {});
    expect((await after.checkIn()).status).toBe(200);
    expect(code(await before.checkIn())).toBe('SIGNATURE_INVALID');
    const page = await device(before);
    expect(page).toMatchObject({ publicKey: after.publicKey, pendingPublicKey: null, keyAwaitingApproval: false });
    expect(page.previousKeys.map((k) => k.publicKey)).toEqual([before.publicKey]);
  });

  it('with the "accept" policy, an accepted headset’s new key is taken at once', async () => {
    expect((await admin.put(OPERATOR_API.reregistrationPolicy, { policy: 'accept' })).status).toBe(200);
    try {
      const before = await server.acceptedHeadset();
      const after = before.afterFactoryReset();
      expect((await after.register()).json()).toMatchObject({ status: 'accepted' });
      expect((await after.checkIn()).status).toBe(200);
      // A headset never accepted still waits, whatever the policy.
      const fresh = server.headset();
      await fresh.register();
      expect((await fresh.afterFactoryReset().register()).json()).toMatchObject({ status: 'pending' });
    } finally {
      await admin.put(OPERATOR_API.reregistrationPolicy, { policy: 'approve' });
    }
  });

  it('registering someone else’s device id takes nothing over: the intruder’s key is dropped on rejection', async () => {
    const victim = await server.acceptedHeadset();
    const intruder = new TestHeadset(server.send, victim.deviceId);
    expect((await intruder.register()).json()).toMatchObject({ status: 'pending' });
    expect((await victim.checkIn()).status).toBe(200);
    await support.post(OPERATOR_API.decision(victim.deviceId, 'reject'), {});
    expect(code(await intruder.checkIn())).toBe('SIGNATURE_INVALID');
    expect((await victim.checkIn()).status).toBe(200);
    expect(await device(victim)).toMatchObject({ status: 'accepted', publicKey: victim.publicKey, pendingPublicKey: null });
  });

  it.each(['reject', 'decommission'] as const)('a headset given "%s" gets nothing, with its key or a new one', async (decision) => {
    const headset = decision === 'reject' ? server.headset() : await server.acceptedHeadset();
    if (decision === 'reject') await headset.register();
    expect((await support.post(OPERATOR_API.decision(headset.deviceId, decision), {})).status).toBe(200);
    for (const attempt of [await headset.checkIn(), await headset.register(), await headset.afterFactoryReset().register()]) {
      expect([attempt.status, code(attempt)]).toEqual([403, 'DEVICE_REFUSED']);
    }
  });

  it('a signed request is refused when signed with another headset’s key, replayed, stale, tampered with or unsigned', async () => {
    const headset = await server.acceptedHeadset();
    const other = await server.acceptedHeadset();
    expect(code(await other.impersonating(headset).checkIn())).toBe('SIGNATURE_INVALID');

    const request = headset.checkInRequest(sampleInventory(), { nonce: 'fixed-nonce-0123456789' });
    expect((await server.send(request)).status).toBe(200);
    expect(code(await server.send(request))).toBe('REQUEST_REPLAYED');

    expect(code(await headset.checkIn(sampleInventory(), { timestamp: server.clock.now().getTime() - 6 * 60_000 }))).toBe('REQUEST_EXPIRED');
    expect(code(await headset.checkIn(sampleInventory(), { timestamp: server.clock.now().getTime() + 6 * 60_000 }))).toBe('REQUEST_EXPIRED');

    const signed = headset.checkInRequest();
    const tampered = await server.send({ ...signed, body: signed.body.replace('HC-1', 'HC-2') });
    expect(code(tampered)).toBe('SIGNATURE_INVALID');
    const elsewhere = await server.send({ ...signed, url: `${signed.url}?again=1` });
    expect(code(elsewhere)).toBe('SIGNATURE_INVALID');

    const unsigned = await server.send({ method: 'POST', url: signed.url, headers: { 'content-type': 'application/json' }, body: signed.body });
    expect([unsigned.status, code(unsigned)]).toEqual([401, 'SIGNATURE_MISSING']);
    const unknown = await server.headset().checkIn();
    expect(code(unknown)).toBe('DEVICE_UNKNOWN');
  });

  it('an inventory outside its bounds is refused with the offending fields', async () => {
    const headset = await server.acceptedHeadset();
    const answer = await headset.checkIn({ ...sampleInventory(), groupTags: ['Not A Tag'] });
    expect([answer.status, code(answer)]).toEqual([400, 'INVALID_INPUT']);
    expect(JSON.stringify(answer.json().details)).toContain('groupTags');
  });
});
