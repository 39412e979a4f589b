import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_UI_SCOPES, createHeadset, type Headset } from '../host/composition.js';
import { listenUnixSocket } from '../transports/UnixSocketServer.js';
import { runHeadsetctl } from './cli.js';

// headsetctl device network against a running simulated headset (the real wiring: its simulated
// NetworkManager over network/air.json, the audit in its log).

let root: string;
let headset: Headset;
let socket: { close(): Promise<void> };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'headsetctl-network-'));
  headset = await createHeadset({
    device: 'simulated',
    root,
    mode: 'settings',
    build: { version: '1.0.0', commit: 'abcdef1234567890', builtAt: '' },
    healthIntervalMs: 60_000,
  });
  socket = await listenUnixSocket({ path: headset.socketPath, router: headset.router, scopes: LOCAL_UI_SCOPES });
}, 60_000);

afterAll(async () => {
  await socket?.close();
  await headset?.close();
  rmSync(root, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runHeadsetctl(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe('headsetctl device network', () => {
  it('scans the simulated air, joins with the password from a file, lists, audits as the CLI, forgets', async () => {
    const scan = await run('device', 'network', 'scan', '--root', root);
    expect(scan.code).toBe(0);
    expect(scan.stdout).toMatch(/82\s+wpa2-personal\s+Home/);
    expect(scan.stdout).not.toMatch(/Support desk/);
    const passwordFile = join(root, 'password');
    writeFileSync(passwordFile, 'correct horse battery\n');
    const joined = await run('device', 'network', 'connect', 'Home', '--password-file', passwordFile, '--root', root);
    expect(joined.stderr).toBe('');
    expect(joined.stdout).toMatch(/wi-fi\s+Home \(82 %\)/);
    const saved = JSON.parse((await run('device', 'network', 'saved', '--root', root, '--json')).stdout) as { id: string; ssid: string }[];
    expect(saved.map((n) => n.ssid)).toEqual(['Home']);
    writeFileSync(passwordFile, 'wrong horse battery\n');
    const wrong = await run('device', 'network', 'connect', 'Phone hotspot', '--password-file', passwordFile, '--root', root);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('NETWORK_WRONG_PASSWORD');
    expect((await run('device', 'network', 'forget', saved[0]!.id, '--root', root)).stdout).toBe('no saved network\n');
    const audit = await run('device', 'network', 'audit', '--root', root);
    expect(audit.stdout).toMatch(/cli\s+forget Home forget ok/);
    expect(audit.stdout).toMatch(/cli\s+connect Phone hotspot join failed \(NETWORK_WRONG_PASSWORD\)/);
    expect(audit.stdout).toMatch(/cli\s+connect Home join ok/);
    expect(audit.stdout).not.toContain('horse');
  }, 60_000);
});
