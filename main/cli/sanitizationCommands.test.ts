import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sodium from 'sodium-native';
import { afterAll, describe, expect, it } from 'vitest';
import { SANITIZATION_FORMAT, type SanitizationRecord } from '../../src/reset/sanitizationRecord.js';
import { SanitizationRecords } from '../services/userData/SanitizationRecords.js';
import { runHeadsetctl } from './cli.js';

const root = mkdtempSync(join(tmpdir(), 'sanitization-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runHeadsetctl(argv, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) });
  return { code, stdout, stderr };
}

function keyPair() {
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
  sodium.crypto_sign_keypair(publicKey, secretKey);
  const sign = (message: Uint8Array) => {
    const signature = Buffer.alloc(sodium.crypto_sign_BYTES);
    sodium.crypto_sign_detached(signature, Buffer.from(message), secretKey);
    return signature;
  };
  return { publicKey: publicKey.toString('base64'), sign };
}

async function writtenRecord(key = keyPair()): Promise<{ path: string; publicKey: string }> {
  const record: SanitizationRecord = {
    format: SANITIZATION_FORMAT,
    id: randomUUID(),
    deviceId: 'f3c1a6a2-3f5e-4c61-9d1e-0c3b7a9f1e22',
    model: 'HC-1-simulated',
    scopes: ['everything'],
    classes: [
      {
        classId: 'apps',
        title: 'App data',
        method: 'crypto-erase',
        files: 3,
        encryptedFiles: 3,
        plaintextFiles: 0,
        bytes: 4096,
        keyDestroyed: true,
        verified: true,
      },
    ],
    kept: [{ classId: 'calibration', sha256: 'a'.repeat(64) }],
    overwritePasses: 1,
    overwriteReason: null,
    checks: [{ name: 'apps erased', passed: true, detail: 'no file and no key left' }],
    verification: 'passed',
    startedAt: '2026-12-07T10:00:00.000Z',
    finishedAt: '2026-12-07T10:00:01.000Z',
    software: { appVersion: '1.0.0', commit: 'abc' },
    publicKey: key.publicKey,
  };
  const { path } = await new SanitizationRecords(join(root, randomUUID())).save(record, key.sign);
  return { path, publicKey: key.publicKey };
}

describe('headsetctl sanitization verify', () => {
  it('accepts a record signed by the key it names, and by the expected key', async () => {
    const { path, publicKey } = await writtenRecord();
    const plain = await run('sanitization', 'verify', path);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('Signature good');
    expect(plain.stdout).toMatch(/apps\s+crypto-erase/);
    expect(plain.stdout).toContain('give --public-key');
    const pinned = await run('sanitization', 'verify', path, '--public-key', publicKey);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toContain("The headset's verification: passed");
  });

  it('refuses a record changed after signing, one signed by another key, and a file that is no record', async () => {
    const { path } = await writtenRecord();
    const changed = readFileSync(path, 'utf8').replace('"verification": "passed"', '"verification": "failed"');
    expect(changed).not.toBe(readFileSync(path, 'utf8'));
    writeFileSync(path, changed);
    expect(await run('sanitization', 'verify', path)).toMatchObject({ code: 1, stderr: expect.stringContaining('SANITIZATION_RECORD_FORGED') });

    const other = await writtenRecord();
    const forged = await run('sanitization', 'verify', other.path, '--public-key', keyPair().publicKey);
    expect(forged).toMatchObject({ code: 1, stderr: expect.stringContaining('SANITIZATION_RECORD_FORGED') });

    writeFileSync(join(root, 'junk.json'), '{"hello": 1}');
    expect(await run('sanitization', 'verify', join(root, 'junk.json'))).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('SANITIZATION_RECORD_MALFORMED'),
    });
    expect((await run('sanitization', 'verify')).code).toBe(2);
  });
});
