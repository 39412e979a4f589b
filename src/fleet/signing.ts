/**
 * What a headset signs with its Ed25519 identity key. Pure text builders: the headset and the server
 * build the same bytes, so neither can drift. Every message starts with its own label, so a signature
 * made for one purpose is never valid for another.
 */

/** Headers of a signed request (lower case, as Node presents them). */
export const SIGNED_REQUEST_HEADERS = {
  device: 'x-fleet-device',
  /** Milliseconds since the epoch, decimal. */
  timestamp: 'x-fleet-timestamp',
  /** 16 to 64 base64url characters, never reused by the device. */
  nonce: 'x-fleet-nonce',
  /** The detached Ed25519 signature of `requestMessage(...)`, base64. */
  signature: 'x-fleet-signature',
} as const;

/** How far a signed request's timestamp may be from the server's clock, either way. */
export const SIGNED_REQUEST_WINDOW_MS = 5 * 60_000;

export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** Base64 of 32 bytes (an Ed25519 public key). */
export const PUBLIC_KEY_PATTERN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
/** Base64 of 64 bytes (an Ed25519 signature). */
export const SIGNATURE_PATTERN = /^[A-Za-z0-9+/]{85}[AQgw]==$/;

export interface RegistrationToSign {
  challengeId: string;
  /** The challenge's nonce, as the server sent it. */
  nonce: string;
  deviceId: string;
  /** The public key being registered, base64. */
  publicKey: string;
}

/** The message a headset signs to answer a registration challenge: it binds the challenge to the key. */
export function registrationMessage(r: RegistrationToSign): string {
  return ['hc-fleet-register-v1', r.challengeId, r.nonce, r.deviceId, r.publicKey].join('\n');
}

export interface RequestToSign {
  method: string;
  /** The path and query exactly as sent (`/api/v1/device/check-ins?x=1`). */
  path: string;
  /** SHA-256 of the body's bytes, lower-case hex (of no bytes for a request without a body). */
  bodySha256: string;
  timestamp: string;
  nonce: string;
  deviceId: string;
}

/** The message a registered headset signs for each request. */
export function requestMessage(r: RequestToSign): string {
  return ['hc-fleet-request-v1', r.method.toUpperCase(), r.path, r.bodySha256, r.timestamp, r.nonce, r.deviceId].join('\n');
}
