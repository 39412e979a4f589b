import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedThermalZone } from './SimulatedThermalZone.js';

describe('SimulatedThermalZone', () => {
  it('warms towards the load steady state and keeps millidegrees in its sysfs file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thermal-'));
    try {
      const path = join(dir, 'temp');
      writeFileSync(path, '34000\n');
      const zone = new SimulatedThermalZone(path);
      const readings: number[] = [];
      for (let i = 0; i < 30; i++) readings.push(await zone.readCelsius(100));
      expect(readings[0]).toBeGreaterThan(34);
      expect(readings.every((r, i) => i === 0 || r >= readings[i - 1]!)).toBe(true);
      expect(readings.at(-1)).toBeCloseTo(69, 0);
      expect(Number(readFileSync(path, 'utf8'))).toBeCloseTo(readings.at(-1)! * 1000, -2);
      // A developer can write a value to provoke a hot headset; the model cools it from there.
      writeFileSync(path, '85000\n');
      const first = await zone.readCelsius(0);
      expect(first).toBeLessThan(85);
      expect(first).toBeGreaterThan(60);
      expect(await zone.readCelsius(0)).toBeLessThan(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
