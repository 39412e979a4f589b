import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { LOCAL_UI_SCOPES, createHeadset, type Headset } from '../host/composition.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { listenUnixSocket } from '../transports/UnixSocketServer.js';
import { runHeadsetctl } from './cli.js';

// headsetctl device wipe | reset against a running simulated headset, whose wipe ends by powering off.

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
  const root = mkdtempSync(join(tmpdir(), 'headsetctl-reset-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

describe('headsetctl device wipe | reset', () => {
  it('prints the plan and erases nothing without --yes; refuses bad scopes and passes', async () => {
    const root = tempRoot();
    await boot(root);
    const logFile = join(new SimulatedDeviceLayout(root).dataDir, 'logs', 'canary.log');
    mkdirSync(join(logFile, '..'), { recursive: true });
    writeFileSync(logFile, 'canary');
    const plan = await run('device', 'wipe', 'logs', '--root', root);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/^erases {2}logs, telemetry/m);
    expect(plan.stdout).toMatch(/^keeps .*calibration/m);
    expect(plan.stderr).toContain('RESET_CONFIRMATION_REQUIRED');
    expect(readFileSync(logFile, 'utf8')).toBe('canary');
    expect((await run('device', 'wipe', 'decommission', '--root', root, '--yes')).code).toBe(2);
    expect((await run('device', 'wipe', 'logs', '--root', root, '--yes', '--passes', '4')).code).toBe(2);
    expect((await run('device', 'wipe', '--root', root)).code).toBe(2);
  }, 60_000);

  it('wipes the logs with the PIN from a file, follows the phases, and lists the record after the restart', async () => {
    const root = tempRoot();
    const layout = new SimulatedDeviceLayout(root);
    const first = await boot(root);
    const pinFile = join(root, 'pin.txt');
    writeFileSync(pinFile, '2468\n');
    // A PIN set through the API; the CLI without it is refused with the catalogue's code.
    await first.client.call('lock.set', { pin: '2468' });
    const logFile = join(layout.dataDir, 'logs', 'canary.log');
    mkdirSync(join(logFile, '..'), { recursive: true });
    writeFileSync(logFile, 'canary');
    const refused = await run('device', 'wipe', 'logs', '--root', root, '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^(FORBIDDEN|RESET_PIN_REQUIRED):/);

    const wiped = await run('device', 'wipe', 'logs', '--root', root, '--yes', '--pin-file', pinFile);
    expect(wiped.stderr).toContain('destroying-keys');
    expect(wiped.stderr).toContain('restarting');
    expect(wiped.code, wiped.stderr).toBe(0);
    expect(wiped.stdout).toContain('logs: erased');
    await first.poweredOff;
    await first.stop();
    expect(existsSync(logFile)).toBe(false);

    await boot(root);
    const list = await run('device', 'wipe', 'list', '--root', root, '--json');
    expect(list.code).toBe(0);
    const records = JSON.parse(list.stdout) as Array<{ record: { scopes: string[]; verification: string } }>;
    expect(records).toHaveLength(1);
    expect(records[0]!.record).toMatchObject({ scopes: ['logs'], verification: 'passed' });
  }, 90_000);

  it('device reset is the factory reset: calibration kept byte for byte, the next start is the setup wizard', async () => {
    const root = tempRoot();
    const layout = new SimulatedDeviceLayout(root);
    const first = await boot(root);
    mkdirSync(layout.calibrationDir, { recursive: true });
    writeFileSync(join(layout.calibrationDir, 'imu.json'), '{"bias":[0.01,0.02,0.03]}');
    const before = createHash('sha256')
      .update(readFileSync(join(layout.calibrationDir, 'imu.json')))
      .digest('hex');
    const reset = await run('device', 'reset', '--root', root, '--yes');
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('into the setup wizard');
    await first.poweredOff;
    await first.stop();
    // Started as a device starts (no mode forced): the erased first-run record makes it the setup wizard.
    const second = await boot(root, false);
    expect(await second.client.call('mode.get')).toMatchObject({ mode: 'setup' });
    expect(
      createHash('sha256')
        .update(readFileSync(join(layout.calibrationDir, 'imu.json')))
        .digest('hex'),
    ).toBe(before);
  }, 90_000);
});
