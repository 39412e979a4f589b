import { mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { supportCodeOf } from '../services/identity/supportCodeOf.js';
import { LOCAL_UI_SCOPES, createHeadset, type Headset } from './composition.js';

const build = { version: '1.2.3', commit: 'abc123', builtAt: '2026-01-01T00:00:00.000Z' };
const roots: string[] = [];
const running: Headset[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.close()));
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

async function boot(root: string): Promise<ApiClient> {
  const headset = await createHeadset({ device: 'simulated', root, build, mode: 'settings', healthIntervalMs: 60_000 });
  running.push(headset);
  const [a, b] = createMemoryPortPair();
  headset.router.connect(b, { label: 'test', scopes: LOCAL_UI_SCOPES });
  return new ApiClient(a);
}

describe('what About shows, from the simulated headset', () => {
  it('the serial number on the label, the build, and a support code derived from the device id', async () => {
    const root = mkdtempSync(join(tmpdir(), 'headset-about-'));
    roots.push(root);
    const layout = new SimulatedDeviceLayout(root);
    const client = await boot(root);
    const serial = readFileSync(layout.productSerial, 'utf8').trim();
    expect(serial).toMatch(/^SIM-[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(await client.call('system.info')).toMatchObject({ model: 'HC-1-simulated', serial, builtAt: build.builtAt, commit: 'abc123' });
    const identity = await client.call('identity.get');
    expect(identity.supportCode).toBe(supportCodeOf(identity.deviceId));
    // Not kept with the identity: it is derived, so it can never disagree with the id.
    expect(readFileSync(join(layout.identityDir, 'identity.json'), 'utf8')).not.toContain('supportCode');

    // A headset made before serial numbers gets one at its next start, and keeps it after.
    await Promise.all(running.splice(0).map((h) => h.close()));
    unlinkSync(layout.productSerial);
    const again = await boot(root);
    const given = (await again.call('system.info')).serial;
    expect(given).toMatch(/^SIM-/);
    expect(given).not.toBe(serial);
    await Promise.all(running.splice(0).map((h) => h.close()));
    expect((await (await boot(root)).call('system.info')).serial).toBe(given);
  });
});
