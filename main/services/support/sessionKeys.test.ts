import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyFingerprint, writeSessionKey } from './sessionKeys.js';

const dir = mkdtempSync(join(tmpdir(), 'session-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('session keys', () => {
  it('writes an OpenSSH Ed25519 key that ssh-keygen reads, 0600, with the public line and fingerprint ssh-keygen gives', async () => {
    const key = await writeSessionKey(join(dir, 'k1'), 'headset-support-abc');
    expect(statSync(key.path).mode & 0o777).toBe(0o600);
    expect(execFileSync('ssh-keygen', ['-y', '-f', key.path], { encoding: 'utf8' }).trim()).toBe(key.publicKeyLine);
    const printed = execFileSync('ssh-keygen', ['-l', '-f', key.path], { encoding: 'utf8' });
    expect(printed).toContain(keyFingerprint(key.publicKeyLine));
    expect(key.secretLines.length).toBeGreaterThan(2);
  });

  it('every session gets a new key, and never overwrites a file', async () => {
    const a = await writeSessionKey(join(dir, 'a'), 'a');
    const b = await writeSessionKey(join(dir, 'b'), 'a');
    expect(a.publicKeyLine).not.toBe(b.publicKeyLine);
    await expect(writeSessionKey(join(dir, 'a'), 'a')).rejects.toThrow(/EEXIST/);
  });
});
