import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import type { DeviceIdHasher } from './DeviceIdHasher.js';
import type { WeekSigners } from './OtlpForwarder.js';

/**
 * What signs each telemetry export: an Ed25519 signature over the method, path, date and the
 * SHA-256 of the body as sent (gzip), so a receiver knows that nothing was changed or replayed
 * with another date, and that requests of one week come from one sender. Telemetry is signed by
 * a key of its own that changes with the weekly pseudonym (periodRequestSigner), never by the
 * device identity key: a stable key on every request would link the weeks and an opt-out to what
 * was sent before.
 */
export interface RequestSigner {
  /** The signing key's Ed25519 public key, base64 (32 bytes). */
  publicKey(): string;
  sign(message: Uint8Array): Uint8Array;
}

/** Carries the signing key (this week's telemetry key; the header name predates the rotation). */
export const DEVICE_HEADER = 'x-headset-device';
export const DATE_HEADER = 'x-headset-date';
export const SIGNATURE_HEADER = 'x-headset-signature';

/** The bytes signed: `METHOD\nPATH\nDATE\nhex(sha256(body))`. */
export function signedMessage(method: string, path: string, date: string, body: Uint8Array): Buffer {
  const digest = createHash('sha256').update(body).digest('hex');
  return Buffer.from(`${method.toUpperCase()}\n${path}\n${date}\n${digest}`, 'utf8');
}

export function signatureHeaders(signer: RequestSigner, method: string, path: string, body: Uint8Array, now: Date): Record<string, string> {
  const date = now.toISOString();
  return {
    [DEVICE_HEADER]: signer.publicKey(),
    [DATE_HEADER]: date,
    [SIGNATURE_HEADER]: Buffer.from(signer.sign(signedMessage(method, path, date, body))).toString('base64'),
  };
}

// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410), so node:crypto can use it.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A signer whose Ed25519 key is derived from a 32-byte seed asked for on every use (the
 * DeviceIdHasher's seed of the current week): a new week or a reset pseudonym key gives a new,
 * unrelated signing key. The key is rebuilt only when the seed changes.
 */
export function periodRequestSigner(seed: () => Buffer): RequestSigner {
  let cached: { seed: string; privateKey: KeyObject; publicKey: string } | undefined;
  const current = () => {
    const bytes = seed();
    if (bytes.length !== 32) throw new Error(`a signing seed is 32 bytes, not ${bytes.length}`);
    const id = createHash('sha256').update(bytes).digest('hex');
    if (cached?.seed !== id) {
      const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, bytes]), format: 'der', type: 'pkcs8' });
      const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
      cached = { seed: id, privateKey, publicKey };
    }
    return cached;
  };
  // sign() uses the key publicKey() last announced: header and signature agree across a week boundary.
  return { publicKey: () => current().publicKey, sign: (message) => sign(null, message, (cached ?? current()).privateKey) };
}

/** The signers of the weeks the hasher still holds a key for (derived, or retired across a reset). */
export function hasherWeekSigners(hasher: DeviceIdHasher): WeekSigners {
  return {
    signerFor: (pseudonym) => {
      const seed = hasher.signingSeedFor(pseudonym);
      return seed && periodRequestSigner(() => seed);
    },
    keepsRetired: () => hasher.retired.pseudonyms().length > 0,
    retainOnly: (queued) => hasher.retired.retainOnly(queued),
  };
}
