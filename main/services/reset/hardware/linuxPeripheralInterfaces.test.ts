import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HardwareReset } from './HardwareReset.js';
import { ImuRecalibration } from './ImuRecalibration.js';
import { linuxPeripherals, loadLinuxHardwareMap, type LinuxHardwareMap } from './LinuxPeripheralInterfaces.js';

// The linux headset's peripherals against a fake /sys and /dev built in a temp folder: the files the
// kernel's LED, backlight, sound, IIO and tty interfaces expose, written as the kernel shows them.

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const MAP: LinuxHardwareMap = {
  imu: { binding: { bus: 'i2c', driver: 'st_lsm6dsx_i2c', device: '1-006a' }, iioName: 'lsm6dso' },
  gps: { tty: 'ttyS1' },
  leds: { led: 'status:green' },
  display: { backlight: 'panel-backlight' },
  audio: { binding: { bus: 'platform', driver: 'asoc-simple-card', device: 'sound' }, cardId: 'HeadsetAudio' },
};

/** A fake machine: sysfs and dev folders with each interface's files as a working board shows them. */
function fakeMachine(): { sysfs: string; dev: string } {
  const root = mkdtempSync(join(tmpdir(), 'fake-sysfs-'));
  temps.push(root);
  const sysfs = join(root, 'sys');
  const dev = join(root, 'dev');
  const file = (path: string, text: string) => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  };
  // Drivers with their devices bound (the links the kernel makes on bind).
  for (const { bus, driver, device } of [MAP.imu.binding!, MAP.audio.binding!]) {
    const driverDir = join(sysfs, 'bus', bus, 'drivers', driver);
    const deviceDir = join(sysfs, 'bus', bus, 'devices', device);
    mkdirSync(driverDir, { recursive: true });
    mkdirSync(deviceDir, { recursive: true });
    symlinkSync(driverDir, join(deviceDir, 'driver'));
    symlinkSync(deviceDir, join(driverDir, device));
  }
  // The IMU as IIO device 2 (an ADC is device 0): still, gravity on z, a small gyro bias.
  file(join(sysfs, 'bus/iio/devices/iio:device0/name'), 'ads1015\n');
  const iio = join(sysfs, 'bus/iio/devices/iio:device2');
  file(join(iio, 'name'), 'lsm6dso\n');
  file(join(iio, 'in_accel_scale'), '0.000598\n');
  file(join(iio, 'in_anglvel_scale'), '0.000153\n');
  for (const [axis, accel, gyro] of [
    ['x', 10, 13],
    ['y', -5, -7],
    ['z', 16400, 20],
  ] as const) {
    file(join(iio, `in_accel_${axis}_raw`), `${accel}\n`);
    file(join(iio, `in_anglvel_${axis}_raw`), `${gyro}\n`);
  }
  file(join(sysfs, 'class/leds/status:green/max_brightness'), '255\n');
  file(join(sysfs, 'class/leds/status:green/brightness'), '0\n');
  const backlight = join(sysfs, 'class/backlight/panel-backlight');
  file(join(backlight, 'max_brightness'), '100\n');
  file(join(backlight, 'brightness'), '60\n');
  file(join(backlight, 'actual_brightness'), '80\n');
  file(join(backlight, 'bl_power'), '0\n');
  file(join(sysfs, 'class/sound/card0/id'), 'HDMI\n');
  file(join(sysfs, 'class/sound/card1/id'), 'HeadsetAudio\n');
  file(join(dev, 'snd/controlC1'), '');
  file(join(sysfs, 'class/tty/ttyS1/dev'), '4:65\n');
  file(join(dev, 'ttyS1'), '\x00\x00garbage\r\n$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n');
  return { sysfs, dev };
}

describe('linux peripherals through their kernel interfaces (a fake /sys and /dev)', () => {
  it('power-cycles, initializes and verifies each as the hardware reset runs them; the IMU recalibrates from IIO', async () => {
    const machine = fakeMachine();
    const { peripherals, imu } = linuxPeripherals(MAP, machine, { gpsWaitMs: 500 });
    expect(peripherals.map((p) => p.id)).toEqual(['imu', 'gps', 'leds', 'display', 'audio']);
    const led = join(machine.sysfs, 'class/leds/status:green');
    const backlight = join(machine.sysfs, 'class/backlight/panel-backlight');
    // Off: the LED dark, the backlight powered down, the drivers unbound.
    for (const p of peripherals) await p.powerCycle();
    expect(readFileSync(join(led, 'brightness'), 'utf8')).toBe('0');
    expect(readFileSync(join(backlight, 'bl_power'), 'utf8')).toBe('4');
    expect(readFileSync(join(machine.sysfs, 'bus/i2c/drivers/st_lsm6dsx_i2c/unbind'), 'utf8')).toBe('1-006a');
    expect(readFileSync(join(machine.sysfs, 'bus/platform/drivers/asoc-simple-card/unbind'), 'utf8')).toBe('sound');
    for (const p of peripherals) await p.initialize();
    expect(readFileSync(join(machine.sysfs, 'bus/i2c/drivers/st_lsm6dsx_i2c/bind'), 'utf8')).toBe('1-006a');
    expect(readFileSync(join(led, 'brightness'), 'utf8')).toBe('255');
    expect(readFileSync(join(backlight, 'bl_power'), 'utf8')).toBe('0');
    expect(readFileSync(join(backlight, 'brightness'), 'utf8')).toBe('80');
    // The kernel's actual_brightness follows (written here as the driver would).
    const results = Object.fromEntries(await Promise.all(peripherals.map(async (p) => [p.id, await p.verify()] as const)));
    expect(results.imu).toMatchObject({ ok: true, detail: expect.stringMatching(/^lsm6dso answers \(9\.8\d m\/s²\)$/) });
    expect(results.gps).toEqual({ ok: true, detail: 'ttyS1 speaks NMEA (GPGGA)' });
    expect(results.leds).toEqual({ ok: true, detail: 'status:green lit at 255/255' });
    expect(results.display).toEqual({ ok: true, detail: 'panel-backlight at 80' });
    expect(results.audio).toEqual({ ok: true, detail: 'ALSA card HeadsetAudio is card1' });

    // The IMU's bias from its IIO channels (raw × scale, rad/s), through the real recalibration.
    const calibration = join(machine.sysfs, '..', 'calibration');
    const recalibrated = await new ImuRecalibration(calibration, imu).run();
    expect(recalibrated.result).toBe('stored');
    if (recalibrated.result === 'stored') expect(recalibrated.bias.gyroBias.map((v) => Number(v.toFixed(6)))).toEqual([0.001989, -0.001071, 0.00306]);
  });

  it('reports each broken interface at its step with what it found, and the others still pass', async () => {
    const machine = fakeMachine();
    // The IMU's driver not bound again; the LED reads back dark; the backlight shows another level;
    // the sound card gone; the tty says nothing a GPS would.
    rmSync(join(machine.sysfs, 'bus/i2c/devices/1-006a/driver'));
    const { peripherals } = linuxPeripherals(MAP, machine, { gpsWaitMs: 300 });
    const led = peripherals.find((p) => p.id === 'leds')!;
    await led.initialize();
    writeFileSync(join(machine.sysfs, 'class/leds/status:green/brightness'), '0\n');
    expect(await led.verify()).toEqual({ ok: false, detail: 'status:green reads 0/255 after it was lit' });
    writeFileSync(join(machine.sysfs, 'class/backlight/panel-backlight/actual_brightness'), '0\n');
    rmSync(join(machine.sysfs, 'class/sound/card1'), { recursive: true });
    writeFileSync(join(machine.dev, 'ttyS1'), 'AT+OK\r\n');
    const report = await new HardwareReset(
      peripherals,
      new ImuRecalibration(join(machine.sysfs, '..', 'cal'), linuxPeripherals(MAP, machine).imu),
    ).run({
      recalibrateImu: false,
    });
    const byId = Object.fromEntries(report.peripherals.map((p) => [p.id, p]));
    expect(byId.imu).toMatchObject({ ok: false, detail: '1-006a has no driver bound' });
    expect(byId.gps).toMatchObject({ ok: false, detail: 'no NMEA sentence from ttyS1 in 300 ms' });
    expect(byId.leds).toMatchObject({ ok: true });
    expect(byId.display).toMatchObject({ ok: false, detail: 'panel-backlight set to 80 but shows 0' });
    expect(byId.audio).toMatchObject({ ok: false, detail: 'no ALSA card HeadsetAudio' });
    expect(report.ok).toBe(false);
  });

  it('waits on a tty that blocks for the sentence the receiver sends, and gives up on a silent one', async () => {
    const machine = fakeMachine();
    const fifo = join(machine.dev, 'ttyS1');
    rmSync(fifo);
    execFileSync('mkfifo', [fifo]);
    const gps = linuxPeripherals(MAP, machine, { gpsWaitMs: 1500 }).peripherals.find((p) => p.id === 'gps')!;
    const answer = gps.verify();
    // The receiver speaks after 200 ms: the check waits for it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const writer = openSync(fifo, 'w');
    writeSync(writer, '$GNRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n');
    expect(await answer).toEqual({ ok: true, detail: 'ttyS1 speaks NMEA (GNRMC)' });
    // Silent: the writer holds the line open and says nothing; the check gives up at its time.
    const silent = linuxPeripherals(MAP, machine, { gpsWaitMs: 300 }).peripherals.find((p) => p.id === 'gps')!;
    const started = Date.now();
    expect(await silent.verify()).toEqual({ ok: false, detail: 'no NMEA sentence from ttyS1 in 300 ms' });
    expect(Date.now() - started).toBeLessThan(1500);
    closeSync(writer);
  });

  it("reads the board's declaration, and refuses one that names no interface or a path", async () => {
    const root = mkdtempSync(join(tmpdir(), 'board-'));
    temps.push(root);
    const path = join(root, 'peripherals.json');
    expect(await loadLinuxHardwareMap(path)).toBeUndefined();
    writeFileSync(path, JSON.stringify(MAP));
    expect(await loadLinuxHardwareMap(path)).toEqual(MAP);
    writeFileSync(path, JSON.stringify({ ...MAP, leds: { led: '../../../etc/shadow' } }));
    await expect(loadLinuxHardwareMap(path)).rejects.toThrow(/does not declare the peripherals: a sysfs name/);
    writeFileSync(path, JSON.stringify({ ...MAP, audio: undefined }));
    await expect(loadLinuxHardwareMap(path)).rejects.toThrow(/does not declare/);
  });
});
