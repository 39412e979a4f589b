import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedDeviceLayout } from './SimulatedDeviceLayout.js';
import { SimulatedFirmware } from './SimulatedFirmware.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function newDevice(): { layout: SimulatedDeviceLayout; firmware: SimulatedFirmware } {
  const root = mkdtempSync(join(tmpdir(), 'simulated-firmware-'));
  roots.push(root);
  const layout = new SimulatedDeviceLayout(root);
  return { layout, firmware: new SimulatedFirmware(layout) };
}

const read = (path: string) => readFileSync(path, 'utf8');

describe('the simulated headset from the factory', () => {
  it('leaves every input a developer writes to in its resting state, and no USB stick', async () => {
    const { layout, firmware } = newDevice();
    expect(await firmware.manufacture({ factoryVersion: '1.0.0', slotSizeBytes: 1 << 20 })).toBe(true);
    expect(read(layout.recoveryButton)).toBe('0\n');
    expect(read(layout.chargerOnline)).toBe('0\n');
    expect(read(layout.gpsSky)).toBe('open\n');
    expect(read(layout.networkState)).toBe('online\n');
    expect(read(join(layout.batteryDir, 'capacity'))).toBe('85\n');
    expect(read(join(layout.batteryDir, 'status'))).toBe('Discharging\n');
    expect(existsSync(layout.usbStick)).toBe(false);
  });

  it("gives a device made before an input had its file the factory's, and keeps what was written", async () => {
    const { layout, firmware } = newDevice();
    await firmware.manufacture({ factoryVersion: '1.0.0', slotSizeBytes: 1 << 20 });
    unlinkSync(layout.networkState);
    rmSync(join(layout.root, 'gps'), { recursive: true });
    writeFileSync(layout.chargerOnline, '1\n');
    expect(await firmware.manufacture({ factoryVersion: '1.0.0', slotSizeBytes: 1 << 20 })).toBe(false);
    expect(read(layout.networkState)).toBe('online\n');
    expect(read(layout.gpsSky)).toBe('open\n');
    expect(read(layout.chargerOnline)).toBe('1\n');
  });
});
