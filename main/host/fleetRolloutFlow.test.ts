import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { OPERATOR_API, type DeviceList } from '../../src/fleet/operatorApi.js';
import { UPDATE_API, UPDATE_REPOSITORY_PATH, type Rollout, type RolloutDetail } from '../../src/fleet/updateApi.js';
import { startFleetTestServer, type FleetTestServer } from '../../test-support/fleet/fleetTestServer.js';
import { FleetUpdateRepository } from '../../test-support/fleet/fleetUpdateRepository.js';
import type { OperatorClient } from '../../test-support/fleet/OperatorClient.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { SIMULATED_MODEL } from '../services/device/SimulatedFirmware.js';
import { LOCAL_UI_SCOPES, createHeadset, type Headset } from './composition.js';

// A fleet rollout end to end: a vendor's repository pushed to the fleet server (in process on
// 127.0.0.1, PGlite), a simulated headset that registers with it and follows the repository it
// hosts, and the rollout that decides which version it takes; its steps come back as reports.

const databases = new TestDatabases();
let server: FleetTestServer;
let admin: OperatorClient;
let url = '';
let vendor: FleetUpdateRepository;
const work = mkdtempSync(join(tmpdir(), 'fleet-rollout-flow-'));
let headset: Headset | undefined;

beforeAll(async () => {
  await databases.prepare(['pglite']);
  server = await startFleetTestServer(await databases.migrated('pglite'));
  admin = await server.operator('admin');
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`;
  vendor = await FleetUpdateRepository.create();
  await vendor.addVersion(SIMULATED_MODEL, '1.1.0', 300_000);
  await vendor.addVersion(SIMULATED_MODEL, '1.2.0', 300_000);
  await vendor.push(admin);
}, PREPARE_TIMEOUT_MS);
afterAll(async () => {
  await headset?.close();
  await server.close();
  await databases.close();
  vendor.close();
  rmSync(work, { recursive: true, force: true });
});

it('the headset takes the version its rollout offers, from the server, and the server sees it committed', async () => {
  const root = join(work, 'headset');
  const trust = new SimulatedDeviceLayout(root).trustDir;
  mkdirSync(trust, { recursive: true });
  copyFileSync(join(vendor.served, '1.root.json'), join(trust, 'root.json'));
  copyFileSync(join(vendor.work, 'keys', 'bundle.pub'), join(trust, 'bundle.pub'));
  headset = await createHeadset({
    device: 'simulated',
    root,
    build: { version: '1.0.0', commit: 'test', builtAt: '2026-01-01T00:00:00Z' },
    mode: 'settings',
    healthIntervalMs: 60_000,
    updateUrl: `${url}${UPDATE_REPOSITORY_PATH}`,
    fleetUrl: url,
    fleetTags: 'site:berlin',
    registration: { backoffMs: { baseMs: 50, maxMs: 200 }, pendingPollMs: 200 },
  });
  const [a, b] = createMemoryPortPair();
  headset.router.connect(b, { label: 'test', scopes: LOCAL_UI_SCOPES });
  const client = new ApiClient(a);

  // Registered, waiting: the operator accepts it.
  const pending = async () => (await admin.get(`${OPERATOR_API.devices}?status=pending`)).json<DeviceList>().devices;
  await expect.poll(async () => (await pending()).length, { timeout: 30_000 }).toBe(1);
  const deviceId = (await pending())[0]!.deviceId;
  expect((await admin.post(OPERATOR_API.decision(deviceId, 'accept'), {})).status).toBe(200);
  await expect.poll(async () => (await client.call('registration.checkNow')).state, { timeout: 30_000 }).toBe('registered');

  // Managed and no rollout: 1.2.0 is in the repository, but nothing is offered.
  expect((await client.call('update.check')).state).toEqual({ status: 'up-to-date' });

  const rollout = (
    await admin.post(UPDATE_API.rollouts, {
      model: SIMULATED_MODEL,
      version: '1.1.0',
      groupTags: ['site:berlin'],
      phases: [100],
      failureThresholdPercent: 50,
    })
  ).json<Rollout>();
  await client.call('registration.checkNow');
  expect((await client.call('update.check')).state).toMatchObject({ status: 'available', offer: { version: '1.1.0' } });
  await client.call('update.download');
  await expect.poll(async () => (await client.call('update.status')).state.status, { timeout: 30_000 }).toBe('downloaded');
  expect((await client.call('update.install')).state).toEqual({ status: 'ready-to-reboot', version: '1.1.0' });
  // The report is queued as the state is published; the next check-in carries it.
  const reported = async () => {
    await client.call('registration.checkNow');
    return (await admin.get(UPDATE_API.rollout(rollout.id))).json<RolloutDetail>();
  };
  await expect
    .poll(async () => (await reported()).devices, { timeout: 10_000 })
    .toEqual([expect.objectContaining({ deviceId, status: 'installed' })]);

  await client.call('update.restart');
  await expect.poll(async () => (await client.call('update.history'))[0]?.outcome, { timeout: 30_000 }).toBe('committed');
  await expect.poll(async () => (await reported()).counts.committed, { timeout: 10_000 }).toBe(1);
  const committed = await reported();
  expect(committed.counts).toMatchObject({ committed: 1, offered: 0, downloading: 0, installed: 0 });
  expect(committed.timeline.map((t) => t.status).sort()).toEqual(['committed', 'downloading', 'installed', 'offered']);
  // At 1.1.0 the rollout offers nothing more, and 1.2.0 still waits for its own rollout.
  expect((await client.call('update.check')).state).toEqual({ status: 'up-to-date' });
}, 180_000);
