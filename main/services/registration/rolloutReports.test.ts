import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { NetworkStatus, UpdateState } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { OPERATOR_API } from '../../../src/fleet/operatorApi.js';
import { UPDATE_API, type Rollout, type RolloutDetail } from '../../../src/fleet/updateApi.js';
import { sampleBoot, sampleHealth, sampleInfo } from '../../../test-support/api/samples.js';
import { startFleetTestServer, type FleetTestServer } from '../../../test-support/fleet/fleetTestServer.js';
import { FleetUpdateRepository } from '../../../test-support/fleet/fleetUpdateRepository.js';
import type { OperatorClient } from '../../../test-support/fleet/OperatorClient.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../../../test-support/fleet/testDatabases.js';
import { capturedLog } from '../../../test-support/logging/capturedLog.js';
import { IdentityService } from '../identity/IdentityService.js';
import { FleetRolloutLink } from '../update/FleetRolloutLink.js';
import type { InstallRecord } from '../update/InstallJournal.js';
import { registrationCapability } from './registrationCapability.js';

/**
 * A rollout seen from the headset: its registration checks in with the real fleet server (in
 * process on 127.0.0.1, PGlite), learns the offer, and the update lifecycle's steps reach the
 * server as reports carried by the next signed check-ins.
 */
const databases = new TestDatabases();
const MODEL = 'HC-1';
let server: FleetTestServer;
let admin: OperatorClient;
let url = '';
let vendor: FleetUpdateRepository;
let dir = '';

beforeAll(async () => {
  await databases.prepare(['pglite']);
  server = await startFleetTestServer(await databases.migrated('pglite'));
  admin = await server.operator('admin');
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`;
  vendor = await FleetUpdateRepository.create();
  await vendor.addVersion(MODEL, '1.1.0');
  await vendor.push(admin);
  dir = await mkdtemp(join(tmpdir(), 'rollout-reports-'));
}, PREPARE_TIMEOUT_MS);
afterAll(async () => {
  await server.close();
  await databases.close();
  vendor.close();
  await rm(dir, { recursive: true, force: true });
});

const record = (step: InstallRecord['state']): InstallRecord =>
  ({
    bundle: 'headset-1.1.0.hcb',
    version: '1.1.0',
    fromVersion: '1.0.0',
    target: 'B',
    startedAt: new Date().toISOString(),
    state: step,
  }) as InstallRecord;

it('learns the offer at its check-in, and reports downloading, installed and committed through the next ones', async () => {
  const deviceId = randomUUID();
  expect((await admin.post(OPERATOR_API.preauthorizations, { deviceId })).status).toBe(204);
  const identity = new IdentityService(join(dir, 'identity'), { read: async () => deviceId });
  await identity.load();
  const link = await FleetRolloutLink.open(dir);
  // No server has answered yet: the repository's newest is allowed, as without a fleet.
  expect(link.allowedVersion()).toBeUndefined();
  const lines: string[] = [];
  const capability = registrationCapability({
    config: { serverUrl: url, groupTags: ['site:berlin'] },
    identity,
    facts: { info: async () => ({ ...sampleInfo, model: MODEL, components: {} }), boot: () => sampleBoot, health: () => sampleHealth() },
    rollouts: link,
    network: new StateChannel<NetworkStatus>({ state: 'online', since: new Date().toISOString() }),
    stateDir: dir,
    log: capturedLog(lines, 'registration'),
    requestTimeoutMs: 5_000,
  });
  await capability.start!();
  const checkNow = () => capability.handlers!['registration.checkNow']!(undefined as never, undefined as never);
  try {
    await expect.poll(() => capability.provides.registration.current()?.state, { timeout: 20_000 }).toBe('registered');
    // Managed, no rollout: nothing may be installed.
    expect(link.allowedVersion()).toBeNull();

    const rollout = (
      await admin.post(UPDATE_API.rollouts, {
        model: MODEL,
        version: '1.1.0',
        groupTags: ['site:berlin'],
        phases: [100],
        failureThresholdPercent: 50,
      })
    ).json<Rollout>();
    await checkNow();
    expect(link.allowedVersion()).toBe('1.1.0');

    const offer = { version: '1.1.0' } as never;
    await link.observe({ status: 'downloading', offer, bytes: 10, total: 100, paused: false, waitingFor: null } as UpdateState);
    await link.observe({ status: 'ready-to-reboot', version: '1.1.0' });
    expect(link.pendingReports().map((r) => r.status)).toEqual(['downloading', 'installed']);
    await checkNow();
    expect(link.pendingReports()).toEqual([]);
    const installed = (await admin.get(UPDATE_API.rollout(rollout.id))).json<RolloutDetail>();
    expect(installed.devices).toEqual([expect.objectContaining({ deviceId, status: 'installed' })]);
    expect(installed.timeline.map((t) => t.status).sort()).toEqual(['downloading', 'installed', 'offered']);

    // The boot judged it: committed, remembered across a restart until the next check-in delivers it.
    await link.finished(record({ step: 'committed', at: new Date().toISOString() }));
    const reopened = await FleetRolloutLink.open(dir);
    expect(reopened.pendingReports()).toEqual([{ rolloutId: rollout.id, version: '1.1.0', status: 'committed' }]);
    expect(reopened.allowedVersion()).toBe('1.1.0');
    await checkNow();
    expect((await admin.get(UPDATE_API.rollout(rollout.id))).json<RolloutDetail>().counts.committed).toBe(1);

    // Aborted: the next answer offers nothing, and nothing may be installed.
    await admin.post(UPDATE_API.rolloutAction(rollout.id, 'abort'), { phase: 0 });
    await checkNow();
    expect(link.allowedVersion()).toBeNull();
  } finally {
    await capability.stop!();
  }
}, 60_000);

it('a failed install of the offered version is reported with its code, once', async () => {
  const link = await FleetRolloutLink.open(await mkdtemp(join(dir, 'failed-')));
  await link.answered({ rolloutId: randomUUID(), version: '2.0.0' }, []);
  await link.observe({
    status: 'downloading',
    offer: { version: '2.0.0' } as never,
    bytes: 0,
    total: 1,
    paused: false,
    waitingFor: null,
  } as UpdateState);
  await link.observe({ status: 'failed', error: { code: 'BUNDLE_SIGNATURE_INVALID', message: 'x' } } as UpdateState);
  await link.observe({ status: 'failed', error: { code: 'BUNDLE_SIGNATURE_INVALID', message: 'x' } } as UpdateState);
  expect(link.pendingReports().map((r) => [r.status, r.detail])).toEqual([
    ['downloading', undefined],
    ['failed', 'BUNDLE_SIGNATURE_INVALID'],
  ]);
  // Another version's steps are none of the rollout's business.
  await link.observe({ status: 'ready-to-reboot', version: '1.9.0' });
  expect(link.pendingReports()).toHaveLength(2);
});
