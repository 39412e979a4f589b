import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { UpdateTestRepository, downloadAndInstall } from '../../test-support/host/updateTestRepository.js';

// A bundle's `requires` are checked against the headset's component versions: those the factory
// flashed (DIR/persist/components.json on the simulated headset) and the installed system.

const repository = new UpdateTestRepository();
beforeAll(() =>
  repository.open([
    {
      version: '1.1.0',
      requires: [
        { name: 'bootloader', range: '>=2.0.0' },
        { name: 'system', range: '>=1.0.0' },
      ],
    },
  ]),
);
afterAll(() => repository.close());

describe('component requirements', () => {
  it('system.info lists the components; a bundle needing bootloader >=2.0.0 installs when it is 2.1.0', async () => {
    const root = repository.newDevice();
    const { client } = await repository.start(root);
    expect((await client.call('system.info')).components).toEqual({
      bootloader: '2.1.0',
      'display-firmware': '3.0.1',
      'mcu-firmware': '1.4.2',
      system: '1.0.0',
    });
    await downloadAndInstall(client);
    expect((await client.call('update.status')).state).toEqual({ status: 'ready-to-reboot', version: '1.1.0' });
  });

  it('is refused with UPDATE_REQUIREMENT_UNMET naming the bootloader when it is 1.9.0, and the slot is untouched', async () => {
    const root = repository.newDevice();
    const { client, headset } = await repository.start(root);
    const layout = new SimulatedDeviceLayout(root);
    // An older bootloader flashed (read at each install, not cached).
    writeFileSync(layout.componentsFile, JSON.stringify({ bootloader: '1.9.0', 'mcu-firmware': '1.4.2' }));
    const slotBefore = readFileSync(layout.slotImage('B'));
    await expect(downloadAndInstall(client)).rejects.toMatchObject({
      code: 'UPDATE_REQUIREMENT_UNMET',
      message: expect.stringContaining('bootloader >=2.0.0; this headset has 1.9.0'),
    });
    expect((await client.call('system.info')).components?.bootloader).toBe('1.9.0');
    expect(readFileSync(layout.slotImage('B')).equals(slotBefore)).toBe(true);
    expect(headset.services.boot.status.current()).toMatchObject({
      order: ['A', 'B'],
      slots: [
        { name: 'A', active: true },
        { name: 'B', bootable: false },
      ],
    });
    // A component missing altogether is refused too, saying "none".
    writeFileSync(layout.componentsFile, JSON.stringify({ 'mcu-firmware': '1.4.2' }));
    await expect(downloadAndInstall(client)).rejects.toMatchObject({
      code: 'UPDATE_REQUIREMENT_UNMET',
      message: expect.stringContaining('this headset has none'),
    });
  });
});
