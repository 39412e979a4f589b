import { createPublicKey, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityService } from '../identity/IdentityService.js';
import { DeviceIdHasher } from './DeviceIdHasher.js';
import { DATE_HEADER, DEVICE_HEADER, SIGNATURE_HEADER, periodRequestSigner, signatureHeaders, signedMessage } from './RequestSigner.js';

let dir: string;
let clock: Date;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'headset-signer-'));
  clock = new Date('2026-11-18T12:00:00Z'); // 2026-W47
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Checks the headers the way a receiver does: the signature verifies under the announced key. */
function verifies(headers: Record<string, string>, body: Buffer): boolean {
  const raw = Buffer.from(headers[DEVICE_HEADER]!, 'base64');
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
  return verify(null, signedMessage('POST', '/v1/logs', headers[DATE_HEADER]!, body), key, Buffer.from(headers[SIGNATURE_HEADER]!, 'base64'));
}

describe('periodRequestSigner over the DeviceIdHasher', () => {
  it('signs with a key of the week: stable within it, unrelated across weeks and after a reset, never the identity key', async () => {
    const identity = await new IdentityService(join(dir, 'identity'), { read: async () => undefined }).load();
    const hasher = new DeviceIdHasher(
      dir,
      () => identity.deviceId,
      () => clock,
    );
    await hasher.load();
    const signer = periodRequestSigner(() => hasher.signingSeed());
    const body = Buffer.from('{"resourceLogs":[]}');

    const week47 = signatureHeaders(signer, 'POST', '/v1/logs', body, clock);
    expect(verifies(week47, body)).toBe(true);
    expect(Buffer.from(week47[DEVICE_HEADER]!, 'base64')).toHaveLength(32);
    // The same week after a restart (key file read again): the same signing key.
    const reloaded = new DeviceIdHasher(
      dir,
      () => identity.deviceId,
      () => clock,
    );
    await reloaded.load();
    expect(periodRequestSigner(() => reloaded.signingSeed()).publicKey()).toBe(week47[DEVICE_HEADER]);

    clock = new Date('2026-11-25T12:00:00Z'); // 2026-W48
    const week48 = signatureHeaders(signer, 'POST', '/v1/logs', body, clock);
    expect(verifies(week48, body)).toBe(true);
    expect(week48[DEVICE_HEADER]).not.toBe(week47[DEVICE_HEADER]);

    // Full opt-out replaces the hasher's key: the signing key of the very same week changes too.
    await hasher.reset();
    const afterReset = signatureHeaders(signer, 'POST', '/v1/logs', body, clock);
    expect(verifies(afterReset, body)).toBe(true);
    expect(afterReset[DEVICE_HEADER]).not.toBe(week48[DEVICE_HEADER]);

    // Nothing in any of them is, or contains, the device identity key or id, nor the pseudonym.
    for (const headers of [week47, week48, afterReset]) {
      const text = JSON.stringify(headers);
      expect(text).not.toContain(identity.publicKey);
      expect(text).not.toContain(identity.deviceId);
      expect(text).not.toContain(hasher.current());
    }
  });

  it('refuses a seed that is not 32 bytes', () => {
    expect(() => periodRequestSigner(() => Buffer.alloc(16)).publicKey()).toThrow(/32 bytes/);
  });
});
