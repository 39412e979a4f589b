import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_UI_SCOPES, createHeadset, type Headset } from '../host/composition.js';
import { listenUnixSocket } from '../transports/UnixSocketServer.js';
import { runHeadsetctl } from './cli.js';

// headsetctl device backup | restore against a running simulated headset with a USB stick plugged in.

let root: string;
let headset: Headset;
let socket: { close(): Promise<void> };
let passphraseFile: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'headsetctl-backup-'));
  mkdirSync(join(root, 'usb'), { recursive: true });
  mkdirSync(join(root, 'data', 'apps', 'game'), { recursive: true });
  writeFileSync(join(root, 'data', 'apps', 'game', 'save.bin'), 'level 9');
  headset = await createHeadset({
    device: 'simulated',
    root,
    mode: 'settings',
    build: { version: '1.0.0', commit: 'abcdef1234567890', builtAt: '' },
    healthIntervalMs: 60_000,
  });
  socket = await listenUnixSocket({ path: headset.socketPath, router: headset.router, scopes: LOCAL_UI_SCOPES });
  passphraseFile = join(root, 'passphrase.txt');
  writeFileSync(passphraseFile, 'operator passphrase 2026\n');
}, 60_000);

afterAll(async () => {
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

describe('headsetctl device backup | restore', () => {
  it('backs up to the stick with the passphrase from a file, lists, verifies, restores a class', { timeout: 120_000 }, async () => {
    const made = await run('device', 'backup', 'run', 'usb', '--passphrase-file', passphraseFile, '--root', root);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^backup [0-9a-f]{8} at usb: .* ok\n$/);
    expect(made.stderr).toContain('backing-up usb: copying');

    const list = await run('device', 'backup', 'list', '--root', root, '--json');
    const overview = JSON.parse(list.stdout) as { backups: { destination: string; verified: { result: string } }[] };
    expect(overview.backups).toHaveLength(1);
    expect(overview.backups[0]).toMatchObject({ destination: 'usb', verified: { result: 'ok' } });

    // Without a passphrase: with the headset's own verification key.
    const verified = await run('device', 'backup', 'verify', 'usb', '--root', root);
    expect(verified.stdout).toMatch(/: ok \(all read back, \d+ files compared\)/);

    writeFileSync(join(root, 'data', 'apps', 'game', 'save.bin'), 'level 1');
    const restored = await run('device', 'restore', 'usb', '--classes', 'apps', '--passphrase-file', passphraseFile, '--root', root);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/^restored apps from [0-9a-f]{8}/);
    expect(readFileSync(join(root, 'data', 'apps', 'game', 'save.bin'), 'utf8')).toBe('level 9');
  });

  it('says a wrong passphrase and a missing passphrase file plainly', { timeout: 60_000 }, async () => {
    const wrongFile = join(root, 'wrong.txt');
    writeFileSync(wrongFile, 'not the passphrase at all\n');
    const wrong = await run('device', 'restore', 'usb', '--passphrase-file', wrongFile, '--root', root);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('BACKUP_WRONG_PASSPHRASE');
    const missing = await run('device', 'backup', 'run', 'usb', '--root', root);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--passphrase-file is required');
  });
});
