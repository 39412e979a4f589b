import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { UpdateTestRepository } from '../../test-support/host/updateTestRepository.js';

// Progress is pushed from the installer's callback without being awaited: when the status cannot
// be read (here the kept-bundles index went bad mid-install), that failure must be logged, not left
// as an unhandled rejection (headsetd's crash handler would end the process in the middle of a slot write).

const repository = new UpdateTestRepository();
beforeAll(() => repository.open([{ version: '1.1.0', imageBytes: 600_000 }]));
afterAll(() => repository.close());
afterEach(() => repository.stopAll());

describe('install progress that cannot be published', () => {
  it('is logged and the install fails as a call, with no unhandled rejection', async () => {
    const root = repository.newDevice();
    const lines: string[] = [];
    const { headset, client } = await repository.start(root, { log: (line) => lines.push(line) });
    await client.call('update.check');
    await client.call('update.download');
    await expect.poll(async () => (await client.call('update.status')).state.status, { timeout: 20_000 }).toBe('downloaded');
    const index = join(new SimulatedDeviceLayout(root).stateDir, 'kept-bundles', 'index.json');
    let broken = false;
    headset.services.update.updates.status.subscribe((status) => {
      if (status.state.status !== 'installing' || broken) return;
      broken = true;
      mkdirSync(join(index, '..'), { recursive: true });
      writeFileSync(index, '{not json');
    });
    await expect(client.call('update.install')).rejects.toBeDefined();
    expect(broken).toBe(true);
    expect(lines.some((line) => line.startsWith('ERROR update: update install progress failed'))).toBe(true);
  });
});
