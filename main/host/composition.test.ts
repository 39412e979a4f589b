import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { apiCalls, type CallName } from '../../src/api/contract.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { LOCAL_UI_SCOPES, createHeadset, type Headset } from './composition.js';

const build = { version: '1.2.3', commit: 'abc123', builtAt: '2026-01-01T00:00:00Z' };
const roots: string[] = [];
const running: Headset[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.close()));
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function newRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'headset-'));
  roots.push(root);
  return root;
}

/** One boot of the simulated headset: starting headsetd is a power-on. */
async function boot(root: string, mode?: 'settings' | 'setup' | 'recovery'): Promise<{ headset: Headset; client: ApiClient }> {
  const headset = await createHeadset({ device: 'simulated', root, build, mode, healthIntervalMs: 60_000 });
  running.push(headset);
  const [a, b] = createMemoryPortPair();
  headset.router.connect(b, { label: 'test', scopes: LOCAL_UI_SCOPES });
  return { headset, client: new ApiClient(a) };
}

describe('the simulated headset, composed', () => {
  it('first boot creates the device, boots slot A and starts in setup', async () => {
    const root = newRoot();
    const { client } = await boot(root);
    const status = await client.call('boot.status');
    expect(status).toMatchObject({ activeSlot: 'A', order: ['A', 'B'], bootCount: 1, fellBack: false });
    expect(status.slots).toEqual([
      { name: 'A', version: '1.2.3', bootable: true, triesLeft: 3, active: true },
      { name: 'B', version: null, bootable: false, triesLeft: 0, active: false },
    ]);
    expect(await client.call('mode.get')).toEqual({ mode: 'setup', reason: 'first-run', setupComplete: false });
    expect(await client.call('system.info')).toMatchObject({ appVersion: '1.2.3', commit: 'abc123', deviceProfile: 'simulated' });
  });

  it('identity is made once, from the hardware id, key 0600, and survives reboots', async () => {
    const root = newRoot();
    const layout = new SimulatedDeviceLayout(root);
    const first = await (await boot(root)).client.call('identity.get');
    expect(first.deviceId).toBe(readFileSync(layout.productUuid, 'utf8').trim());
    expect(first.idSource).toBe('hardware');
    expect(Buffer.from(first.publicKey, 'base64')).toHaveLength(32);
    expect(statSync(join(layout.identityDir, 'ed25519.secret')).mode & 0o777).toBe(0o600);
    expect(statSync(layout.identityDir).mode & 0o777).toBe(0o700);
    await Promise.all(running.splice(0).map((h) => h.close()));
    const second = await (await boot(root)).client.call('identity.get');
    expect(second).toEqual(first);
  });

  it('the private key never crosses the API', async () => {
    const root = newRoot();
    const { client } = await boot(root);
    const secret = readFileSync(join(new SimulatedDeviceLayout(root).identityDir, 'ed25519.secret'));
    const forms = [
      secret.toString('hex'),
      secret.toString('base64'),
      secret.subarray(0, 32).toString('hex'),
      secret.subarray(0, 32).toString('base64'),
    ];
    const outputs: string[] = [];
    // Every read-only call (the status scope), which is what any connection can ask for.
    for (const name of Object.keys(apiCalls) as CallName[]) {
      // Those that take no input (one that needs input, e.g. a feature's name, answers nothing of the device's own).
      if (apiCalls[name].scope !== 'status' || !(apiCalls[name].input.safeParse({}).success || apiCalls[name].input.safeParse(undefined).success))
        continue;
      outputs.push(JSON.stringify(await client.call(name as 'system.info')));
    }
    expect(outputs.length).toBeGreaterThanOrEqual(7);
    for (const form of forms) for (const output of outputs) expect(output).not.toContain(form);
  });

  it('each start is a boot: counted, slot committed, tries restored', async () => {
    const root = newRoot();
    for (let i = 1; i <= 5; i++) {
      const { client } = await boot(root);
      const status = await client.call('boot.status');
      expect(status.bootCount).toBe(i);
      expect(status.slots[0]!.triesLeft).toBe(3);
      await Promise.all(running.splice(0).map((h) => h.close()));
    }
  });

  it('holding the recovery button at power-on boots into recovery; restart leaves it', async () => {
    const root = newRoot();
    await boot(root);
    await Promise.all(running.splice(0).map((h) => h.close()));
    const layout = new SimulatedDeviceLayout(root);
    writeFileSync(layout.recoveryButton, '1\n');
    const { client, headset } = await boot(root);
    expect(await client.call('mode.get')).toMatchObject({ mode: 'recovery', reason: 'recovery-button' });
    writeFileSync(layout.recoveryButton, '0\n');
    const modes: string[] = [];
    client.subscribe('mode.changed', (state) => modes.push(state.mode));
    await client.call('recovery.restart');
    await expect.poll(() => modes.at(-1), { timeout: 5000 }).toBe('setup');
    expect(headset.services.boot.status.current()!.bootCount).toBe(3);
  });

  it('completing setup persists: the next boot starts in settings', async () => {
    const root = newRoot();
    const { client } = await boot(root);
    await expect(client.call('setup.complete')).resolves.toMatchObject({ mode: 'settings', setupComplete: true });
    await Promise.all(running.splice(0).map((h) => h.close()));
    const next = await boot(root);
    expect(await next.client.call('mode.get')).toEqual({ mode: 'settings', reason: 'default', setupComplete: true });
  });

  it('a health snapshot has plausible live values', async () => {
    const { client } = await boot(newRoot(), 'settings');
    const snapshot = await client.call('health.snapshot');
    expect(snapshot.memory.totalBytes).toBeGreaterThan(0);
    expect(snapshot.memory.usedBytes).toBeLessThanOrEqual(snapshot.memory.totalBytes);
    expect(snapshot.disk.totalBytes).toBeGreaterThan(0);
    expect(snapshot.temperatureC).toBeGreaterThan(20);
    expect(Date.parse(snapshot.takenAt)).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('the linux device profile', () => {
  it('refuses, saying why, on a machine the Headset Control boot script did not start', async () => {
    const cmdline = readFileSync('/proc/cmdline', 'utf8');
    if (/headset\.slot=/.test(cmdline)) return; // on a real headset this profile must start instead
    await expect(createHeadset({ device: 'linux', build })).rejects.toThrow(/not started by the Headset Control boot script.*--device simulated/);
  });
});
