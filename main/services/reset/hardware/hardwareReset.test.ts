import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HardwareReset } from './HardwareReset.js';
import { ImuRecalibration, type ImuBiasFile } from './ImuRecalibration.js';
import { LinuxPeripheral } from './LinuxPeripheral.js';
import { SimulatedImu, SimulatedPeripheral, simulatedPeripherals } from './SimulatedPeripherals.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hw-reset-'));
  dirs.push(dir);
  return dir;
}

describe('hardware reset on the simulated headset', () => {
  it('power-cycles, initializes and verifies every peripheral, and recalibrates the IMU while still, keeping the previous bias', async () => {
    const root = temp();
    const calibration = join(root, 'persist', 'calibration');
    mkdirSync(join(root, 'hardware', 'imu'), { recursive: true });
    writeFileSync(join(root, 'hardware', 'imu', 'motion.json'), JSON.stringify({ moving: false, gyroBias: [0.003, -0.002, 0.001] }));
    const reset = new HardwareReset(simulatedPeripherals(root), new ImuRecalibration(calibration, new SimulatedImu(root)));
    const first = await reset.run({ recalibrateImu: true });
    expect(first.ok).toBe(true);
    expect(first.peripherals.map((p) => [p.id, p.reached])).toEqual([
      ['imu', 'verified'],
      ['gps', 'verified'],
      ['leds', 'verified'],
      ['display', 'verified'],
      ['audio', 'verified'],
    ]);
    expect(await new SimulatedPeripheral('gps', join(root, 'hardware', 'gps')).state()).toEqual({ powered: true, initialized: true, cycles: 1 });
    if (first.imu.result !== 'stored') throw new Error('expected a stored bias');
    // The mean of still readings is the bias, within the noise.
    expect(first.imu.bias.gyroBias[0]).toBeCloseTo(0.003, 3);
    expect(first.imu.bias.gyroBias[1]).toBeCloseTo(-0.002, 3);
    expect(first.imu.previous).toBeNull();

    writeFileSync(join(root, 'hardware', 'imu', 'motion.json'), JSON.stringify({ moving: false, gyroBias: [0.004, 0, 0] }));
    const second = await reset.run({ recalibrateImu: true });
    const stored = JSON.parse(readFileSync(join(calibration, 'imu-bias.json'), 'utf8')) as ImuBiasFile;
    expect(stored.previous).toEqual(first.imu.bias);
    expect(stored.current.gyroBias[0]).toBeCloseTo(0.004, 3);
    expect(second.imu).toMatchObject({ result: 'stored', previous: first.imu.bias });
  });

  it('refuses to recalibrate while the headset moves and keeps the stored bias', async () => {
    const root = temp();
    const calibration = join(root, 'calibration');
    mkdirSync(calibration, { recursive: true });
    writeFileSync(
      join(calibration, 'imu-bias.json'),
      '{"current":{"gyroBias":[1,2,3],"at":"2026-01-01T00:00:00.000Z","samples":200},"previous":null}',
    );
    mkdirSync(join(root, 'hardware', 'imu'), { recursive: true });
    writeFileSync(join(root, 'hardware', 'imu', 'motion.json'), '{"moving":true}');
    const report = await new HardwareReset(simulatedPeripherals(root), new ImuRecalibration(calibration, new SimulatedImu(root))).run({
      recalibrateImu: true,
    });
    expect(report.imu.result).toBe('refused-moving');
    expect(report.ok).toBe(false);
    expect(readFileSync(join(calibration, 'imu-bias.json'), 'utf8')).toContain('[1,2,3]');
  });

  it('reports injected faults at the step they hit, and brings up the others', async () => {
    const root = temp();
    for (const [id, fault] of [
      ['gps', 'no-power'],
      ['display', 'init-fails'],
      ['audio', 'no-answer'],
    ] as const) {
      mkdirSync(join(root, 'hardware', id), { recursive: true });
      writeFileSync(join(root, 'hardware', id, 'fault'), `${fault}\n`);
    }
    const report = await new HardwareReset(simulatedPeripherals(root), new ImuRecalibration(join(root, 'cal'), new SimulatedImu(root))).run({
      recalibrateImu: false,
    });
    expect(report.ok).toBe(false);
    expect(report.imu).toEqual({ result: 'skipped' });
    const byId = Object.fromEntries(report.peripherals.map((p) => [p.id, p]));
    expect(byId.imu).toMatchObject({ ok: true, reached: 'verified' });
    expect(byId.leds).toMatchObject({ ok: true, reached: 'verified' });
    expect(byId.gps).toMatchObject({ ok: false, reached: 'initialize', detail: 'gps: no power after the power cycle' });
    expect(byId.display).toMatchObject({ ok: false, reached: 'initialize', detail: 'display: the driver refused to initialize it' });
    expect(byId.audio).toMatchObject({ ok: false, reached: 'verify', detail: 'does not answer' });
  });
});

describe('a linux peripheral through sysfs (a folder shaped like /sys)', () => {
  it('unbinds then binds the device with its driver and checks the driver link', async () => {
    const sysfs = temp();
    const driver = join(sysfs, 'bus', 'i2c', 'drivers', 'st_lsm6dsx');
    const device = join(sysfs, 'bus', 'i2c', 'devices', '1-006a');
    mkdirSync(driver, { recursive: true });
    mkdirSync(device, { recursive: true });
    const imu = new LinuxPeripheral('imu', { bus: 'i2c', driver: 'st_lsm6dsx', device: '1-006a' }, sysfs);
    expect(await imu.verify()).toEqual({ ok: false, detail: '1-006a has no driver bound' });
    await imu.powerCycle();
    await imu.initialize();
    expect(readFileSync(join(driver, 'unbind'), 'utf8')).toBe('1-006a');
    expect(readFileSync(join(driver, 'bind'), 'utf8')).toBe('1-006a');
    // What the kernel does on bind: the device's driver link and the driver's device link.
    symlinkSync(driver, join(device, 'driver'));
    symlinkSync(device, join(driver, '1-006a'));
    expect(await imu.verify()).toEqual({ ok: true, detail: 'bound to st_lsm6dsx' });
  });
});
