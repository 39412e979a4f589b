import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { DEFAULT_ALERT_THRESHOLDS } from '../../src/alerts/thresholds.js';
import type { AlertsState } from '../../src/api/contract.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { errorCodeOf } from '../../test-support/api/errorCodes.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { LOCAL_UI_SCOPES, createHeadset, type Headset } from './composition.js';

const build = { version: '1.2.3', commit: 'abc123', builtAt: '2026-01-01T00:00:00Z' };
let root: string;
let headset: Headset;
let client: ApiClient;
let layout: SimulatedDeviceLayout;
const pushed: AlertsState[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'headset-alerts-'));
  layout = new SimulatedDeviceLayout(root);
  // Health is sampled when the test says so (services.health.sample), not on a timer.
  headset = await createHeadset({ device: 'simulated', root, build, mode: 'settings', healthIntervalMs: 3_600_000 });
  const [a, b] = createMemoryPortPair();
  headset.router.connect(b, { label: 'test', scopes: LOCAL_UI_SCOPES });
  client = new ApiClient(a);
  client.subscribe('alerts.changed', (state) => pushed.push(state));
});

afterAll(async () => {
  client?.close();
  await headset?.close();
  await rm(root, { recursive: true, force: true });
});

const shown = () => pushed.at(-1)?.alerts.map((a) => a.id) ?? [];

/** The simulated thermal zone moves 30 % of the way to its steady state per reading: 140 °C written reads about 109 °C. */
async function heat(milliCelsius: number): Promise<number | null> {
  await writeFile(layout.thermalZone, `${milliCelsius}\n`);
  return (await headset.services.health.sample()).temperatureC;
}

async function setBattery(percent: number): Promise<void> {
  await mkdir(layout.batteryDir, { recursive: true });
  await writeFile(join(layout.batteryDir, 'capacity'), `${percent}\n`);
  await headset.services.health.sample();
}

describe('alerts on the simulated headset', () => {
  it('starts with no alert, pushed to a new subscriber at once', async () => {
    await expect.poll(() => pushed.length).toBeGreaterThan(0);
    expect(shown()).toEqual([]);
    expect(await client.call('alerts.list')).toEqual({ alerts: [] });
  });

  it("answers the device profile's thresholds, the ones its alerts are raised at (Home's meters colour at them)", async () => {
    expect(await client.call('alerts.thresholds')).toEqual(DEFAULT_ALERT_THRESHOLDS);
  });

  it('a thermal zone at 109 °C raises "too hot"; cooling below the clear threshold clears it', async () => {
    const celsius = await heat(140_000);
    expect(celsius).toBeGreaterThanOrEqual(100);
    await expect.poll(shown).toEqual(['temperature-critical']);
    const alert = pushed.at(-1)!.alerts[0]!;
    expect(alert).toMatchObject({ severity: 'critical', title: 'The headset is too hot', dismissible: false });
    expect(alert.message).toContain(`${Math.round(celsius!)}\u00a0°C`);
    expect(await errorCodeOf(client.call('alerts.dismiss', { id: 'temperature-critical' }))).toBe('ALERT_NOT_DISMISSIBLE');

    // 92 °C: under the raise threshold (95), not under the clear one (90): it holds.
    expect(await heat(131_000)).toBeGreaterThan(90);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(shown()).toEqual(['temperature-critical']);
    // Cooling: back under 75 °C clears "too hot" and "getting hot".
    expect(await heat(30_000)).toBeLessThan(75);
    await expect.poll(shown).toEqual([]);
  });

  it('an almost empty battery raises "battery almost empty", plugging the charger in clears it', async () => {
    await setBattery(3);
    await expect.poll(shown).toEqual(['battery-critical']);
    expect(pushed.at(-1)!.alerts[0]!.message).toMatch(/^[0-3]\u00a0% left\. Plug in the charger now/);
    await mkdir(dirname(layout.chargerOnline), { recursive: true });
    await writeFile(layout.chargerOnline, '1\n');
    await headset.services.health.sample();
    await expect.poll(shown).toEqual([]);
    await writeFile(layout.chargerOnline, '0\n');
    await setBattery(80);
  });

  it('each raise and clear is in the structured log under subsystem alerts', async () => {
    const read = async () => (await client.call('logs.query', { subsystems: ['alerts'], limit: 50 })).entries.map((e) => `${e.level} ${e.msg}`);
    await expect
      .poll(read, { timeout: 5000 })
      .toEqual(
        expect.arrayContaining([
          'warn alert raised: temperature-critical',
          'info alert cleared: temperature-critical',
          'warn alert raised: battery-critical',
          'info alert cleared: battery-critical',
        ]),
      );
  });
});
