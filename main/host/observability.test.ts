import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { errorCodeOf } from '../../test-support/api/errorCodes.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { LOCAL_UI_SCOPES, createHeadset, type Headset } from './composition.js';

const build = { version: '1.2.3', commit: 'abc123', builtAt: '2026-01-01T00:00:00Z' };
const root = mkdtempSync(join(tmpdir(), 'headset-obs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function boot(): Promise<{ headset: Headset; client: ApiClient }> {
  const headset = await createHeadset({ device: 'simulated', root, build, mode: 'settings', healthIntervalMs: 60_000 });
  const [a, b] = createMemoryPortPair();
  headset.router.connect(b, { label: 'test', scopes: LOCAL_UI_SCOPES });
  return { headset, client: new ApiClient(a) };
}

describe('observability on the simulated headset', () => {
  it('health snapshots carry the battery and the GPS; history and crash records survive a restart', async () => {
    const layout = new SimulatedDeviceLayout(root);
    const first = await boot();
    const snapshot = await first.client.call('health.snapshot');
    expect(snapshot.battery).toMatchObject({ charging: false });
    expect(snapshot.battery!.percent).toBeGreaterThan(0);
    expect(snapshot.gps).toMatchObject({ locked: false, timeToLockMs: null });
    // The battery is in its sysfs-style files; plugging the charger in is a file write.
    expect(readFileSync(join(layout.batteryDir, 'status'), 'utf8')).toBe('Discharging\n');
    mkdirSync(dirname(layout.chargerOnline), { recursive: true });
    writeFileSync(layout.chargerOnline, '1\n');
    const plugged = await first.headset.services.health.sample();
    expect(plugged.battery!.charging).toBe(true);

    expect(await errorCodeOf(first.client.call('health.history', { limit: 2001 }))).toBe('INVALID_INPUT');
    expect(await errorCodeOf(first.client.call('health.history', { since: 'yesterday' }))).toBe('INVALID_INPUT');
    const history = await first.client.call('health.history', {});
    expect(history.length).toBeGreaterThanOrEqual(1);
    expect(history[0]).toHaveProperty('battery');

    // The renderer's crash, through the API: a fatal ui line and a crash record.
    const { crashId } = await first.client.call('logs.write', {
      process: 'renderer',
      entries: [
        { level: 'info', msg: 'opened Updates' },
        { level: 'fatal', msg: '', crash: { name: 'Error', message: 'render failed', stack: 'Error: render failed\n    at UpdatesScreen' } },
      ],
    });
    expect(crashId).toMatch(/-renderer-/);
    const crashes = await first.client.call('crashes.list');
    expect(crashes).toEqual([
      expect.objectContaining({ id: crashId, process: 'renderer', version: '1.2.3', error: 'Error: render failed', forwarded: false }),
    ]);
    const record = await first.headset.services.logs.crashes.read(crashId!);
    expect((record.recentLines as { msg: string }[]).map((l) => l.msg)).toContain('opened Updates');
    expect(record.health).not.toBeNull();
    await first.headset.close();

    const second = await boot();
    expect((await second.client.call('crashes.list')).map((c) => c.id)).toEqual([crashId]);
    // The history reloads from its file: at least the sample kept before the restart.
    expect((await second.client.call('health.history', { limit: 10 })).map((s) => s.takenAt)).toContain(history[0]!.takenAt);
    await second.headset.close();
  });
});
