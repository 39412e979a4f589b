import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { settledCodeOf as codeOf } from '../../../test-support/api/errorCodes.js';
import { KEY_ROLES, encodePrivateKeyFile } from '../../../src/update/keys.js';
import { generateKeys, loadSigningKey } from './signingKeys.js';
import { keyIdOf, loadTrustedKey, verifyEd25519 } from '../../services/update/trustedKeys.js';

const root = mkdtempSync(join(tmpdir(), 'hc-keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('signing keys', () => {
  it('generates one pair per role: private 0600, public readable, folder 0700, distinct ids', async () => {
    const dir = join(root, 'fresh');
    const keys = await generateKeys(dir);
    expect(keys.map((k) => k.role)).toEqual([...KEY_ROLES]);
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(KEY_ROLES.length);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const key of keys) {
      expect(statSync(key.privateKeyPath).mode & 0o777).toBe(0o600);
      expect(statSync(key.publicKeyPath).mode & 0o077).toBe(0o044 & ~(process.umask() & 0o077));
      expect((await loadTrustedKey(key.publicKeyPath)).keyId).toBe(key.keyId);
    }
  });

  it('signs with the private key what its public key verifies', async () => {
    const dir = join(root, 'sign');
    await generateKeys(dir, ['bundle']);
    const key = await loadSigningKey(join(dir, 'bundle.key'));
    const trusted = await loadTrustedKey(join(dir, 'bundle.pub'));
    expect(key.keyId).toBe(trusted.keyId);
    expect(keyIdOf(trusted.publicKey)).toBe(trusted.keyId);
    const message = new TextEncoder().encode('manifest bytes');
    const signature = key.sign(message);
    expect(verifyEd25519(signature, message, trusted.publicKey)).toBe(true);
    expect(verifyEd25519(signature, new TextEncoder().encode('manifest byteS'), trusted.publicKey)).toBe(false);
    expect(verifyEd25519(signature.subarray(1), message, trusted.publicKey)).toBe(false);
    key.dispose();
    expect(() => key.sign(message)).toThrow(/disposed/);
  });

  it('never overwrites: refuses before writing anything when one file exists', async () => {
    const dir = join(root, 'exists');
    await generateKeys(dir, ['bundle']);
    const before = readFileSync(join(dir, 'bundle.key'));
    expect(await codeOf(generateKeys(dir))).toBe('KEY_EXISTS');
    expect(readFileSync(join(dir, 'bundle.key'))).toEqual(before);
    expect(() => statSync(join(dir, 'root.key'))).toThrow();
  });

  it('refuses a private key others can read, one that does not match its public key, and a public key as --key', async () => {
    const dir = join(root, 'bad');
    await generateKeys(dir, ['bundle', 'root']);
    chmodSync(join(dir, 'bundle.key'), 0o644);
    expect(await codeOf(loadSigningKey(join(dir, 'bundle.key')))).toBe('KEY_INVALID');
    const mismatched = join(dir, 'mismatch.key');
    writeFileSync(mismatched, encodePrivateKeyFile(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)), { mode: 0o600 });
    expect(await codeOf(loadSigningKey(mismatched))).toBe('KEY_INVALID');
    chmodSync(join(dir, 'root.pub'), 0o600);
    expect(await codeOf(loadSigningKey(join(dir, 'root.pub')))).toBe('KEY_INVALID');
    expect(await codeOf(loadTrustedKey(join(dir, 'root.key')))).toBe('KEY_INVALID');
  });
});
