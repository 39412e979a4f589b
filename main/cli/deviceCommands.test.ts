import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_UI_SCOPES, createHeadset, type Headset } from '../host/composition.js';
import { startWebHost, type WebHost } from '../host/WebHost.js';
import { listenUnixSocket } from '../transports/UnixSocketServer.js';
import { runHeadsetctl } from './cli.js';

// headsetctl against a running simulated headset, over its socket and over the web host's address.

let root: string;
let headset: Headset;
let socket: { close(): Promise<void> };
let web: WebHost;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'headsetctl-device-'));
  headset = await createHeadset({
    device: 'simulated',
    root,
    mode: 'settings',
    build: { version: '1.0.0', commit: 'abcdef1234567890', builtAt: '' },
    healthIntervalMs: 60_000,
  });
  socket = await listenUnixSocket({ path: headset.socketPath, router: headset.router, scopes: LOCAL_UI_SCOPES });
  const rendererDir = mkdtempSync(join(tmpdir(), 'renderer-'));
  web = await startWebHost({ router: headset.router, rendererDir, port: 0, scopes: LOCAL_UI_SCOPES });
});

afterAll(async () => {
  await web.close();
  await socket.close();
  await headset.close();
  rmSync(root, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runHeadsetctl(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe('headsetctl device', () => {
  it('status over the socket, as text and as JSON', async () => {
    const text = await run('device', 'status', '--root', root);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/software\s+Headset Control 1\.0\.0 \(abcdef123456\)/);
    expect(text.stdout).toMatch(/slot A\s+1\.0\.0\s+running/);
    expect(text.stdout).toMatch(/update\s+no update repository configured/);
    // What the factory flashed, and the system running: what a bundle's `requires` are checked against.
    expect(text.stdout).toMatch(/components\s+bootloader 2\.1\.0, display-firmware 3\.0\.1, mcu-firmware 1\.4\.2, system 1\.0\.0\n/);
    const json = await run('device', 'status', '--socket', headset.socketPath, '--json');
    const parsed = JSON.parse(json.stdout) as { identity: { deviceId: string }; boot: { activeSlot: string } };
    expect(parsed.identity.deviceId).toBe(headset.services.identity.get().deviceId);
    expect(parsed.boot.activeSlot).toBe('A');
  });

  it('status over the web host address with its token; refused with a wrong token', async () => {
    expect((await run('device', 'status', '--url', web.url)).stdout).toMatch(/slot A/);
    const refused = await run('device', 'status', '--url', web.url.replace(/token=[0-9a-f]+/, 'token=00'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refused the connection \(401\)/);
  });

  it('update actions answer with the catalogue code when they cannot run', async () => {
    const check = await run('device', 'update', 'check', '--root', root);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/^UPDATE_NOT_CONFIGURED: /);
    const bad = await run('device', 'update', 'explode', '--root', root);
    expect(bad.code).toBe(2);
  });

  it('says clearly when no headsetd listens', async () => {
    const result = await run('device', 'status', '--socket', join(root, 'nothing.sock'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot reach headsetd/);
  });

  it('reboot restarts the headset (a new boot)', async () => {
    const before = headset.services.boot.status.current()!.bootCount;
    const result = await run('device', 'reboot', '--root', root);
    expect(result.stdout).toBe('restarting\n');
    await expect.poll(() => headset.services.boot.status.current()!.bootCount, { timeout: 20_000 }).toBe(before + 1);
  });

  it('reboot --wait returns once the headset has booted again, saying which system runs', async () => {
    const before = headset.services.boot.status.current()!;
    const result = await run('device', 'reboot', '--wait', '--root', root);
    expect(result.code).toBe(0);
    const after = headset.services.boot.status.current()!;
    expect(after.bootId).not.toBe(before.bootId);
    expect(result.stdout).toBe(`booted slot A: 1.0.0 (boot #${after.bootCount})\n`);
    const json = await run('device', 'reboot', '--wait', '--root', root, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ activeSlot: 'A', bootCount: after.bootCount + 1 });
  });
});
