import { createHash } from 'node:crypto';

/**
 * The device identity on each export: an Ed25519 signature by the device key (IdentityService
 * keeps the private key; this port only asks for signatures) over the method, path, date and the
 * SHA-256 of the body as sent (gzip), so a receiver knows which headset sent it and that nothing
 * was changed or replayed with another date.
 */
export interface RequestSigner {
  /** The device's Ed25519 public key, base64 (32 bytes). */
  publicKey(): string;
  sign(message: Uint8Array): Uint8Array;
}

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

/** The device identity (IdentityService) as a signer: its public key, its signatures. */
export function identityRequestSigner(identity: { get(): { publicKey: string }; sign(message: Uint8Array): Uint8Array }): RequestSigner {
  return { publicKey: () => identity.get().publicKey, sign: (message) => identity.sign(message) };
}
