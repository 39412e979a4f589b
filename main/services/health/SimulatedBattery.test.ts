import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedBattery, netRatePerHour } from './SimulatedBattery.js';

const root = mkdtempSync(join(tmpdir(), 'battery-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const HOUR = 3_600_000;

function device(name: string) {
  const dir = join(root, name, 'BAT0');
  const charger = join(root, name, 'AC', 'online');
  mkdirSync(join(root, name, 'AC'), { recursive: true });
  writeFileSync(charger, '0\n');
  let now = 0;
  const battery = new SimulatedBattery(dir, charger, () => now);
  return { dir, charger, battery, advance: (ms: number) => (now += ms) };
}

describe('SimulatedBattery', () => {
  it('drains faster under load, and says so in its sysfs files', async () => {
    const idle = device('idle');
    const busy = device('busy');
    await idle.battery.read(0);
    await busy.battery.read(100);
    idle.advance(HOUR);
    busy.advance(HOUR);
    const idleAfter = await idle.battery.read(0);
    const busyAfter = await busy.battery.read(100);
    expect(idleAfter.charging).toBe(false);
    expect(idleAfter.percent).toBeCloseTo(85 - 12, 1);
    expect(busyAfter.percent).toBeCloseTo(85 - 30, 1);
    expect(readFileSync(join(busy.dir, 'capacity'), 'utf8')).toBe('55\n');
    expect(readFileSync(join(busy.dir, 'status'), 'utf8')).toBe('Discharging\n');
  });

  it('charges while plugged in, fast up to 80 % then tapering, and never passes 100 %', async () => {
    const d = device('charging');
    await d.battery.read(0);
    writeFileSync(d.charger, '1\n');
    const readings: number[] = [];
    for (let i = 0; i < 40; i++) {
      d.advance(6 * 60_000);
      const reading = await d.battery.read(0);
      readings.push(reading.percent);
    }
    expect(readings.every((p, i) => i === 0 || p >= readings[i - 1]!)).toBe(true);
    expect(readings.at(-1)).toBe(100);
    expect(readFileSync(join(d.dir, 'status'), 'utf8')).toBe('Full\n');
    // The taper: above 80 % the rate falls towards a trickle.
    expect(netRatePerHour(90, true, 0)).toBeLessThan(netRatePerHour(50, true, 0) / 1.5);
    expect(netRatePerHour(50, true, 0)).toBeGreaterThan(30);
  });

  it('takes a level a developer writes into capacity, and carries on from there', async () => {
    const d = device('override');
    await d.battery.read(0);
    writeFileSync(join(d.dir, 'capacity'), '5\n');
    d.advance(60_000);
    const reading = await d.battery.read(0);
    expect(reading.percent).toBeLessThan(5);
    expect(reading.percent).toBeGreaterThan(4.5);
    // An empty battery stays at 0, not below.
    d.advance(10 * HOUR);
    expect((await d.battery.read(100)).percent).toBe(0);
  });

  it('restarts from the charge it kept on disk', async () => {
    const d = device('restart');
    await d.battery.read(0);
    d.advance(HOUR);
    const before = await d.battery.read(0);
    const again = new SimulatedBattery(d.dir, d.charger, () => 0);
    expect((await again.read(0)).percent).toBeCloseTo(before.percent, 1);
  });
});
