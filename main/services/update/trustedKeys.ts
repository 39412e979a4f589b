import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sodium from 'sodium-native';
import { keyIdMaterial, parsePublicKeyFile } from '../../../src/update/keys.js';
import type { TrustedKey } from '../../../src/update/verify.js';

/** The key id of an Ed25519 public key: SHA-256 (hex) of its canonical TUF key object. */
export function keyIdOf(publicKey: Uint8Array): string {
  return createHash('sha256').update(keyIdMaterial(publicKey)).digest('hex');
}

export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  // sodium-native throws on wrong-sized buffers; a wrong size is simply not a valid signature.
  if (signature.length !== sodium.crypto_sign_BYTES || publicKey.length !== sodium.crypto_sign_PUBLICKEYBYTES) return false;
  return sodium.crypto_sign_verify_detached(toBuffer(signature), toBuffer(message), toBuffer(publicKey));
}

/** Loads a public key file (`--trust`). */
export async function loadTrustedKey(path: string): Promise<TrustedKey> {
  const publicKey = parsePublicKeyFile(await readFile(path, 'utf8'), path);
  return { keyId: keyIdOf(publicKey), publicKey };
}

/** The bundle-signing public keys the device trusts: every `*.pub` in its trust folder. */
export async function loadTrustFolder(dir: string): Promise<TrustedKey[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(
    files
      .filter((f) => f.endsWith('.pub'))
      .sort()
      .map((f) => loadTrustedKey(join(dir, f))),
  );
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
