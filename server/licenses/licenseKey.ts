import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { parsePrivateKeyFile } from '../../src/update/keys.js';

/** The server's licence-signing key (`--license-key FILE`, `headsetctl license keygen`'s license.key). */
export interface LicenseSigningKey {
  sign(message: Uint8Array): Uint8Array;
}

// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): this prefix, then the 32 bytes.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function licenseKeyFromSeed(seed: Uint8Array): LicenseSigningKey {
  const key: KeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return { sign: (message) => new Uint8Array(sign(null, message, key)) };
}

/** Loads the key file; refuses one others can read, as ssh does. */
export async function loadLicenseKey(path: string): Promise<LicenseSigningKey> {
  if (((await stat(path)).mode & 0o077) !== 0) throw new Error(`${path} is readable by others; run chmod 600 on it`);
  const { seed } = parsePrivateKeyFile(await readFile(path, 'utf8'), path);
  return licenseKeyFromSeed(seed);
}
