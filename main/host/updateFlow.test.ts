import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/api/client.js';
import type { UpdateStatus } from '../../src/api/contract.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import type { Headset } from './composition.js';
import { UpdateTestRepository } from '../../test-support/host/updateTestRepository.js';

// The whole update path as the wearer drives it, through the API: a signed TUF repository served
// over HTTP, a simulated headset following it, and its restarts.

const repository = new UpdateTestRepository();
beforeAll(() => repository.open([{ version: '1.1.0', notes: 'Security fixes.', imageBytes: 600_000 }]));
afterAll(() => repository.close());
afterEach(() => repository.stopAll());

/** A headset at 1.0.0 that trusts the repository's first root and the bundle key. */
const newDevice = () => repository.newDevice();
const url = () => repository.url;

async function start(
  root: string,
  updateUrl?: string,
  watchdogTimeoutMs?: number,
): Promise<{ headset: Headset; client: ApiClient; statuses: UpdateStatus[] }> {
  const { headset, client } = await repository.start(root, { updateUrl, watchdogTimeoutMs });
  const statuses: UpdateStatus[] = [];
  client.subscribe('update.changed', (status) => statuses.push(status));
  return { headset, client, statuses };
}

describe('updating a simulated headset from a TUF repository', () => {
  it('says when no repository is configured', async () => {
    const { client } = await start(newDevice());
    expect((await client.call('update.status')).state).toEqual({ status: 'unconfigured' });
    await expect(client.call('update.check')).rejects.toMatchObject({ code: 'UPDATE_NOT_CONFIGURED' });
  });

  it('check, download, install, restart into the trial, commit; then roll back by hand', async () => {
    const root = newDevice();
    const { client, headset, statuses } = await start(root, url());
    const userData = join(root, 'data', 'user', 'settings.json');
    mkdirSync(join(root, 'data', 'user'), { recursive: true });
    writeFileSync(userData, '{"format":1}');
    const checked = await client.call('update.check');
    expect(checked.state).toMatchObject({ status: 'available', offer: { version: '1.1.0', kind: 'full', notes: 'Security fixes.' } });
    expect(checked.lastCheck).not.toBeNull();
    await client.call('update.download');
    await expect.poll(async () => JSON.stringify((await client.call('update.status')).state), { timeout: 10_000 }).toContain('downloaded');
    expect(statuses.some((s) => s.state.status === 'downloading' && s.state.bytes > 0)).toBe(true);
    const installed = await client.call('update.install');
    expect(installed.state).toEqual({ status: 'ready-to-reboot', version: '1.1.0' });
    // The trial waiting in the other slot is not something to go back to.
    expect(installed.rollbackTo).toBeNull();
    // The trial is now preferred, but this boot did not fall back: it booted the slot preferred then.
    expect(headset.services.boot.status.current()).toMatchObject({ activeSlot: 'A', order: ['B', 'A'], fellBack: false });
    await client.call('update.restart');
    await expect.poll(() => headset.services.boot.status.current()?.activeSlot, { timeout: 10_000 }).toBe('B');
    await expect.poll(async () => (await client.call('update.history'))[0]?.outcome, { timeout: 10_000 }).toBe('committed');
    // The restart ran in the same process: the service notices it and says so without being asked.
    await expect.poll(async () => (await client.call('update.status')).state, { timeout: 10_000 }).toEqual({ status: 'idle' });
    const after = await client.call('update.status');
    expect(statuses.at(-1)).toMatchObject({ state: { status: 'idle' }, current: { slot: 'B', version: '1.1.0' } });
    expect(after.current).toEqual({ slot: 'B', version: '1.1.0' });
    expect(after.rollbackTo).toEqual({ slot: 'A', version: '1.0.0' });
    expect(headset.services.boot.status.current()!.slots.find((s) => s.name === 'B')).toMatchObject({ version: '1.1.0', triesLeft: 3 });
    // An up-to-date check now finds nothing newer.
    expect((await client.call('update.check')).state).toEqual({ status: 'up-to-date' });
    // A damaged rollback target is refused, and nothing switches.
    const slotA = new SimulatedDeviceLayout(root).slotImage('A');
    const original = readFileSync(slotA).subarray(0, 4);
    const fd = openSync(slotA, 'r+');
    writeSync(fd, Buffer.from('XXXX'), 0, 4, 0);
    await expect(client.call('update.rollback')).rejects.toMatchObject({ code: 'SLOT_VERIFY_FAILED' });
    writeSync(fd, original, 0, 4, 0);
    closeSync(fd);
    expect(headset.services.boot.status.current()!.order[0]).toBe('B');
    // The new version migrates the wearer's data...
    writeFileSync(userData, '{"format":2}');
    // ...and a manual rollback gives 1.0.0 its data back, as it left it.
    await client.call('update.rollback');
    // Going back is over once 1.0.0's boot was tried and committed: the history tells it then.
    await expect
      .poll(async () => (await client.call('update.history'))[0], { timeout: 10_000 })
      .toMatchObject({ outcome: 'manual-rollback', version: '1.0.0', fromVersion: '1.1.0' });
    expect(headset.services.boot.status.current()?.activeSlot).toBe('A');
    expect(readFileSync(userData, 'utf8')).toBe('{"format":1}');
  });

  it('a paused download stays paused across a restart and resumes where it stopped', async () => {
    const root = newDevice();
    const first = await start(root, url());
    await first.client.call('update.settings', { bandwidthLimitBytesPerSecond: 64 * 1024 });
    await first.client.call('update.check');
    await first.client.call('update.download');
    await expect
      .poll(() => first.statuses.at(-1)?.state.status === 'downloading' && (first.statuses.at(-1)!.state as { bytes: number }).bytes > 0, {
        timeout: 10_000,
      })
      .toBe(true);
    const paused = await first.client.call('update.pause');
    expect(paused.state).toMatchObject({ status: 'downloading', paused: true });
    await repository.stopAll();
    const second = await start(root);
    const status = await second.client.call('update.status');
    expect(status.state).toMatchObject({ status: 'downloading', paused: true });
    expect(status.settings.bandwidthLimitBytesPerSecond).toBe(64 * 1024);
    await second.client.call('update.settings', { bandwidthLimitBytesPerSecond: null });
    const before = repository.served;
    await second.client.call('update.resume');
    await expect.poll(async () => (await second.client.call('update.status')).state.status, { timeout: 10_000 }).toBe('downloaded');
    // Resumed, not restarted: less than the whole bundle crossed the wire the second time.
    const bundleLength = (status.state as { total: number }).total;
    expect(repository.served - before).toBeLessThan(bundleLength);
  });

  it('waits while offline and carries on when the network comes back', async () => {
    const root = newDevice();
    const { client } = await start(root, url());
    await client.call('update.check');
    const layout = new SimulatedDeviceLayout(root);
    mkdirSync(join(root, 'network'), { recursive: true });
    writeFileSync(layout.networkState, 'offline\n');
    // The network capability reads the simulated cable every 2 s: download once the headset knows.
    await expect.poll(async () => (await client.call('network.status')).state, { timeout: 10_000 }).toBe('offline');
    await client.call('update.download');
    await expect
      .poll(async () => (await client.call('update.status')).state, { timeout: 10_000 })
      .toMatchObject({ status: 'downloading', waitingFor: 'network' });
    writeFileSync(layout.networkState, 'online\n');
    await expect.poll(async () => (await client.call('update.status')).state.status, { timeout: 15_000 }).toBe('downloaded');
  }, 20_000);

  it('refuses to download onto a disk without room for it (and a margin), keeping the headset usable', async (context) => {
    const root = newDevice();
    const mountPoint = join(root, 'data');
    mkdirSync(mountPoint, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    } catch {
      context.skip(); // mounting needs root; CI runs as root
      return;
    }
    try {
      const { client } = await start(root, url());
      await client.call('update.check');
      await client.call('update.download');
      await expect
        .poll(async () => (await client.call('update.status')).state, { timeout: 10_000 })
        .toMatchObject({ status: 'failed', error: { code: 'UPDATE_NO_SPACE' } });
    } finally {
      await repository.stopAll();
      execFileSync('umount', [mountPoint]);
    }
  });

  it('a trial boot that hangs is restarted by the watchdog until its tries run out, then the old system comes back', async () => {
    const root = newDevice();
    const { client, headset } = await start(root, url(), 1000);
    await client.call('update.check');
    await client.call('update.download');
    await expect.poll(async () => (await client.call('update.status')).state.status, { timeout: 10_000 }).toBe('downloaded');
    await client.call('update.install');
    // The new system hangs at its first read of the slot: a FIFO nobody writes blocks for ever.
    // What the new system would have done to the data before it hung.
    mkdirSync(join(root, 'data', 'user'), { recursive: true });
    writeFileSync(join(root, 'data', 'user', 'migrated'), 'by 1.1.0');
    const slotB = new SimulatedDeviceLayout(root).slotImage('B');
    rmSync(slotB);
    execFileSync('mkfifo', [slotB]);
    try {
      await client.call('update.restart');
      await expect.poll(async () => (await client.call('update.history'))[0]?.outcome, { timeout: 20_000, interval: 250 }).toBe('rolled-back');
      expect(headset.services.boot.status.current()).toMatchObject({ activeSlot: 'A', fellBack: false });
      expect((await client.call('update.status')).current).toEqual({ slot: 'A', version: '1.0.0' });
      // The data is back as 1.0.0 left it before the update.
      expect(() => readFileSync(join(root, 'data', 'user', 'migrated'))).toThrow();
    } finally {
      // Let the reads still blocked on the FIFO finish (end of file) so no thread stays stuck.
      for (let i = 0; i < 4; i++) {
        try {
          closeSync(openSync(slotB, constants.O_WRONLY | constants.O_NONBLOCK));
        } catch {
          break; // no reader left
        }
      }
    }
  }, 30_000);
});
