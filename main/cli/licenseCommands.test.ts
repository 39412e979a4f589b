import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sodium from 'sodium-native';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { licenseSigningBytes, parseLicenseFile, fromBase64 } from '../../src/licensing/licenseFile.js';
import { parsePublicKeyFile } from '../../src/update/keys.js';
import { runHeadsetctl } from './cli.js';

let dir: string;
const io = () => {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
};
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'license-cli-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('license keygen then issue writes a licence that verifies with license.pub; the key comes from a file', async () => {
  expect(await runHeadsetctl(['license', 'keygen', '--out', join(dir, 'keys')], io().io)).toBe(0);
  expect(statSync(join(dir, 'keys', 'license.key')).mode & 0o777).toBe(0o600);
  const run = io();
  const args = ['license', 'issue', '--key', join(dir, 'keys', 'license.key'), '--licensee', 'Example Clinic', '--device-id', 'dev-1'];
  const status = await runHeadsetctl(
    [
      ...args,
      '--expires',
      '2027-06-01',
      '--not-before',
      '2026-06-01',
      '--feature',
      'tracks',
      '--feature',
      'remote-support',
      '--out',
      join(dir, 'a.hclicense'),
    ],
    run.io,
  );
  expect(run.out.stderr).toBe('');
  expect(status).toBe(0);
  const file = parseLicenseFile(readFileSync(join(dir, 'a.hclicense'), 'utf8'));
  expect(file.license).toMatchObject({
    licensee: 'Example Clinic',
    features: ['remote-support', 'tracks'],
    expiresAt: '2027-06-01T00:00:00Z',
    graceDays: 14,
  });
  const publicKey = parsePublicKeyFile(readFileSync(join(dir, 'keys', 'license.pub'), 'utf8'));
  expect(
    sodium.crypto_sign_verify_detached(
      Buffer.from(fromBase64(file.signature)),
      Buffer.from(licenseSigningBytes(file.license)),
      Buffer.from(publicKey),
    ),
  ).toBe(true);
  // Never overwrites; a bad date or two bindings are usage errors.
  expect(await runHeadsetctl([...args, '--expires', '2027-06-01', '--out', join(dir, 'a.hclicense')], io().io)).toBe(1);
  expect(await runHeadsetctl([...args, '--expires', 'next year', '--out', join(dir, 'b.hclicense')], io().io)).toBe(2);
  expect(await runHeadsetctl([...args, '--identity-key', 'x', '--expires', '2027-06-01', '--out', join(dir, 'b.hclicense')], io().io)).toBe(2);
  const expiredFirst = io();
  expect(
    await runHeadsetctl([...args, '--expires', '2020-01-01', '--not-before', '2021-01-01', '--out', join(dir, 'c.hclicense')], expiredFirst.io),
  ).toBe(1);
  expect(expiredFirst.out.stderr).toMatch(/^LICENSE_INVALID:/);
});
