import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../src/api/contract.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { UpdateTestRepository } from '../../test-support/host/updateTestRepository.js';

// What the wearer is told around an update: a check asked for offline waits for the network,
// and once a new system started properly, "You are now on System …".

const repository = new UpdateTestRepository();
beforeAll(() => repository.open([{ version: '1.1.0', notes: 'Security fixes.', imageBytes: 200_000 }]));
afterAll(() => repository.close());
afterEach(() => repository.stopAll());

describe('update news', () => {
  it('offline, a check waits for the network instead of saying "up to date", and runs once online', async () => {
    const root = repository.newDevice();
    const network = new SimulatedDeviceLayout(root).networkState;
    const { client } = await repository.start(root, { updateUrl: repository.url });
    writeFileSync(network, 'offline\n');
    // The network capability reads the simulated cable every 2 s: ask once the headset knows.
    await expect.poll(async () => (await client.call('network.status')).state, { timeout: 10_000 }).toBe('offline');
    const statuses: UpdateStatus[] = [];
    client.subscribe('update.changed', (status) => statuses.push(status));
    const asked = await client.call('update.check');
    expect(asked.state).toEqual({ status: 'checking', waitingFor: 'network' });
    expect(asked.lastCheck).toBeNull();
    // Asked again: it still waits, and says so.
    expect((await client.call('update.check')).state).toEqual({ status: 'checking', waitingFor: 'network' });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await client.call('update.status')).state).toEqual({ status: 'checking', waitingFor: 'network' });
    writeFileSync(network, 'online\n');
    await expect.poll(async () => (await client.call('update.status')).state.status, { timeout: 10_000 }).toBe('available');
    expect((await client.call('update.status')).lastCheck).not.toBeNull();
    expect(statuses.some((s) => s.state.status === 'up-to-date')).toBe(false);
  });

  it('after the update started properly: "You are now on System 1.1.0", until dismissed', { timeout: 30_000 }, async () => {
    const root = repository.newDevice();
    const { client, headset } = await repository.start(root, { updateUrl: repository.url });
    await client.call('update.check');
    await client.call('update.download');
    await expect.poll(async () => (await client.call('update.status')).state.status, { timeout: 10_000 }).toBe('downloaded');
    await client.call('update.install');
    expect((await client.call('alerts.list')).alerts.map((a) => a.id)).not.toContain('update-installed');
    await client.call('update.restart');
    await expect.poll(() => headset.services.boot.status.current()?.activeSlot, { timeout: 10_000 }).toBe('B');
    await expect
      .poll(async () => (await client.call('alerts.list')).alerts.find((a) => a.id === 'update-installed')?.title, { timeout: 10_000 })
      .toBe('You are now on System 1.1.0');
    await client.call('alerts.dismiss', { id: 'update-installed' });
    expect((await client.call('alerts.list')).alerts.map((a) => a.id)).not.toContain('update-installed');
    // Once: a restart of headsetd does not say it again.
    await repository.stopAll();
    const again = await repository.start(root, { updateUrl: repository.url });
    await expect.poll(async () => (await again.client.call('update.status')).current.version, { timeout: 10_000 }).toBe('1.1.0');
    expect((await again.client.call('alerts.list')).alerts.map((a) => a.id)).not.toContain('update-installed');
  });
});
