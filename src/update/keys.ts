import { AppError } from '../api/errors.js';
import { canonicalJson, canonicalJsonBytes } from './canonicalJson.js';
import { fromHex, toHex } from './hex.js';

/**
 * Ed25519 key files, pure parts. One pair per role: the four TUF repository roles and the bundle
 * signer. A public key file holds TUF's key object, `{"keytype":"ed25519","keyval":{"public":HEX},
 * "scheme":"ed25519"}`, and a key's id is the SHA-256 of that object's canonical JSON, as TUF
 * computes it: one id for a key in bundles and in repository metadata. A private key file holds the
 * same object with the 32-byte seed added as `keyval.private`.
 */
export const KEY_ROLES = ['root', 'targets', 'snapshot', 'timestamp', 'bundle'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

export const PUBLIC_KEY_LENGTH = 32;
export const SEED_LENGTH = 32;

export function keyFileNames(role: string): { privateKey: string; publicKey: string } {
  return { privateKey: `${role}.key`, publicKey: `${role}.pub` };
}

/** Refuses to generate keys into a folder that already has any of their files (KEY_EXISTS). */
export function assertNoExistingKeys(existing: Iterable<string>, roles: readonly string[] = KEY_ROLES): void {
  const present = new Set(existing);
  const clashes = roles.flatMap((role) => Object.values(keyFileNames(role))).filter((file) => present.has(file));
  if (clashes.length > 0)
    throw new AppError(
      'KEY_EXISTS',
      `Key files already exist: ${clashes.join(', ')}. Keys are never overwritten: move them away or choose another folder.`,
      { files: clashes },
    );
}

/** The object whose canonical JSON is hashed into the key id. */
function publicKeyObject(publicKey: Uint8Array) {
  return { keytype: 'ed25519', keyval: { public: toHex(publicKey) }, scheme: 'ed25519' };
}

/** The bytes a key id is the SHA-256 of. */
export function keyIdMaterial(publicKey: Uint8Array): Uint8Array {
  return canonicalJsonBytes(publicKeyObject(publicKey));
}

export function encodePublicKeyFile(publicKey: Uint8Array): string {
  return `${canonicalJson(publicKeyObject(publicKey))}\n`;
}

export function encodePrivateKeyFile(seed: Uint8Array, publicKey: Uint8Array): string {
  return `${canonicalJson({ keytype: 'ed25519', keyval: { private: toHex(seed), public: toHex(publicKey) }, scheme: 'ed25519' })}\n`;
}

export function parsePublicKeyFile(text: string, source = 'public key'): Uint8Array {
  const keyval = parseKeyObject(text, source);
  // Trusting a private key file works by accident and spreads the secret: refuse it.
  if ('private' in keyval) throw new AppError('KEY_INVALID', `${source} is a private key file; give the public one (.pub).`, { source });
  return hexField(keyval, 'public', PUBLIC_KEY_LENGTH, source);
}

/** The seed and the public key the file claims; the caller checks that the seed derives that key. */
export function parsePrivateKeyFile(text: string, source = 'private key'): { seed: Uint8Array; publicKey: Uint8Array } {
  const keyval = parseKeyObject(text, source);
  if (!('private' in keyval)) throw new AppError('KEY_INVALID', `${source} is a public key file, not a private one.`, { source });
  return { seed: hexField(keyval, 'private', SEED_LENGTH, source), publicKey: hexField(keyval, 'public', PUBLIC_KEY_LENGTH, source) };
}

function parseKeyObject(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('KEY_INVALID', `${source} is not a key file (not JSON).`, { source });
  }
  const record = value as { keytype?: unknown; scheme?: unknown; keyval?: unknown } | null;
  if (
    typeof record !== 'object' ||
    record === null ||
    record.keytype !== 'ed25519' ||
    record.scheme !== 'ed25519' ||
    typeof record.keyval !== 'object' ||
    record.keyval === null
  ) {
    throw new AppError('KEY_INVALID', `${source} is not an Ed25519 key file (keytype and scheme "ed25519", keyval).`, { source });
  }
  return record.keyval as Record<string, unknown>;
}

function hexField(keyval: Record<string, unknown>, field: string, length: number, source: string): Uint8Array {
  const value = keyval[field];
  const bytes = typeof value === 'string' ? fromHex(value) : undefined;
  if (!bytes || bytes.length !== length)
    throw new AppError('KEY_INVALID', `${source}: keyval.${field} must be ${length} bytes in lower-case hex.`, { source, field });
  return bytes;
}
