import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { LOCAL_UI_SCOPES, createHeadset, type Headset } from '../host/composition.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { listenUnixSocket } from '../transports/UnixSocketServer.js';
import { runHeadsetctl } from './cli.js';

// headsetctl decommission keygen | authorize and device decommission against a running simulated headset.

const build = { version: '1.0.0', commit: 'abcdef1234567890', builtAt: '' };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function boot(
  root: string,
  forceSettings = true,
): Promise<{ headset: Headset; poweredOff: Promise<void>; client: ApiClient; stop(): Promise<void> }> {
  let off!: () => void;
  const poweredOff = new Promise<void>((resolve) => (off = resolve));
  const headset = await createHeadset({
    device: 'simulated',
    root,
    mode: forceSettings ? 'settings' : undefined,
    build,
    healthIntervalMs: 60_000,
    onPowerOff: () => off(),
  });
  const socket = await listenUnixSocket({ path: headset.socketPath, router: headset.router, scopes: LOCAL_UI_SCOPES });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await socket.close();
    await headset.close();
  };
  cleanups.push(stop);
  const [a, b] = createMemoryPortPair();
  headset.router.connect(b, { label: 'test', scopes: LOCAL_UI_SCOPES });
  return { headset, poweredOff, client: new ApiClient(a), stop };
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runHeadsetctl(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'headsetctl-decommission-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

async function authorize(root: string, keyDir: string, identity: { deviceId: string; publicKey: string }, out: string, ...more: string[]) {
  return run(
    'decommission',
    'authorize',
    '--key',
    join(keyDir, 'decommission.key'),
    '--device-id',
    identity.deviceId,
    '--identity-key',
    identity.publicKey,
    '--out',
    join(root, out),
    ...more,
  );
}

describe('headsetctl device decommission', () => {
  it("refuses without the operator's key in the trust folder, a forged or foreign authorization, or no --yes; then retires the headset: record signed by the old identity, identity gone, a new device", async () => {
    const root = tempRoot();
    const layout = new SimulatedDeviceLayout(root);
    const keyDir = join(root, 'operator-keys');
    const first = await boot(root);
    const old = await first.client.call('identity.get');
    // A PIN is set: the operator does not need it, and the wearer's UI cannot decommission with it.
    await first.client.call('lock.set', { pin: '2468' });
    await first.client.call('lock.unlock', { pin: '2468' });
    expect(await errorCodeOf(first.client.call('reset.wipe', { scope: 'decommission', confirm: true, pin: '2468' }))).toBe(
      'RESET_SCOPE_OPERATOR_ONLY',
    );

    expect((await run('decommission', 'keygen', '--out', keyDir)).code).toBe(0);
    expect((await authorize(root, keyDir, old, 'good.json', '--hours', '2', '--reason', 'retired')).code).toBe(0);
    // No decommission.pub in the image's trust folder yet.
    const unconfigured = await run('device', 'decommission', '--root', root, '--authorization', join(root, 'good.json'), '--yes');
    expect(unconfigured.code).toBe(1);
    expect(unconfigured.stderr).toContain('DECOMMISSION_NOT_CONFIGURED');
    mkdirSync(layout.trustDir, { recursive: true });
    copyFileSync(join(keyDir, 'decommission.pub'), join(layout.trustDir, 'decommission.pub'));

    // Signed by another operator key; for another headset; changed after signing: each refused, nothing erased.
    const otherKeys = join(root, 'other-keys');
    await run('decommission', 'keygen', '--out', otherKeys);
    await authorize(root, otherKeys, old, 'foreign-key.json');
    await authorize(root, keyDir, { ...old, deviceId: 'someone-else' }, 'other-device.json');
    const tampered = JSON.parse(readFileSync(join(root, 'good.json'), 'utf8')) as { authorization: { expiresAt: string } };
    tampered.authorization.expiresAt = new Date(Date.now() + 6 * 24 * 3600_000).toISOString();
    writeFileSync(join(root, 'tampered.json'), JSON.stringify(tampered));
    for (const [file, why] of [
      ['foreign-key.json', 'not signed'],
      ['other-device.json', 'another headset'],
      ['tampered.json', 'not signed'],
    ] as const) {
      const refused = await run('device', 'decommission', '--root', root, '--authorization', join(root, file), '--yes');
      expect(refused.code, file).toBe(1);
      expect(refused.stderr, file).toContain('DECOMMISSION_AUTHORIZATION_INVALID');
      expect(refused.stderr, file).toContain(why);
    }
    // Too long a window is refused by the signer already.
    expect((await authorize(root, keyDir, old, 'long.json', '--hours', '1000')).code).toBe(2);
    const unconfirmed = await run('device', 'decommission', '--root', root, '--authorization', join(root, 'good.json'));
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stdout).toContain(old.deviceId);
    expect(unconfirmed.stderr).toContain('RESET_CONFIRMATION_REQUIRED');
    expect(readdirSync(layout.identityDir).length).toBeGreaterThan(0);

    const done = await run('device', 'decommission', '--root', root, '--authorization', join(root, 'good.json'), '--yes');
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain('decommissioned');
    await first.poweredOff;
    await first.stop();
    // The identity is gone from the persist partition before the next start.
    expect(readdirSync(layout.identityDir)).toEqual([]);

    const second = await boot(root, false);
    const now = await second.client.call('identity.get');
    expect(now.publicKey).not.toBe(old.publicKey);
    expect(await second.client.call('mode.get')).toMatchObject({ mode: 'setup' });
    const [signed] = await second.client.call('reset.records');
    expect(signed!.record).toMatchObject({ scopes: ['decommission'], verification: 'passed', deviceId: old.deviceId, publicKey: old.publicKey });
    // Signed by the old identity key, which is what the fleet registered; not by the new one.
    const recordFile = join(root, 'record.json');
    writeFileSync(recordFile, JSON.stringify(signed));
    const verified = await run('sanitization', 'verify', recordFile, '--public-key', old.publicKey);
    expect(verified.code, verified.stderr).toBe(0);
    expect((await run('sanitization', 'verify', recordFile, '--public-key', now.publicKey)).code).toBe(1);
    // The old authorization names an identity that no longer exists.
    const again = await run('device', 'decommission', '--root', root, '--authorization', join(root, 'good.json'), '--yes');
    expect(again.stderr).toContain('another headset');
  }, 120_000);
});

async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return (error as { code: string }).code;
  }
}
