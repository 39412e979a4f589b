import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sodium from 'sodium-native';
import { AppError } from '../../../src/api/errors.js';
import {
  KEY_ROLES,
  assertNoExistingKeys,
  encodePrivateKeyFile,
  encodePublicKeyFile,
  keyFileNames,
  parsePrivateKeyFile,
} from '../../../src/update/keys.js';
import { bytesEqual } from '../../../src/update/hex.js';
import { fsyncDirectory } from '../../services/storage/atomicFile.js';
import { keyIdOf } from '../../services/update/trustedKeys.js';

// Private keys are the operator's: the device only verifies (services/update/trustedKeys.ts).

/** A loaded private key: signs, never hands the secret out. `dispose()` wipes it. */
export interface SigningKey {
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
  dispose(): void;
}

export interface GeneratedKey {
  role: string;
  keyId: string;
  privateKeyPath: string;
  publicKeyPath: string;
}

/**
 * Generates one key pair per role into `dir` (created 0700 if missing). Refuses, before writing
 * anything, when any of the files exists; each file is also created exclusively, so a race with
 * another writer cannot overwrite a key either.
 */
export async function generateKeys(dir: string, roles: readonly string[] = KEY_ROLES): Promise<GeneratedKey[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  assertNoExistingKeys(await readdir(dir), roles);
  const generated: GeneratedKey[] = [];
  for (const role of roles) {
    const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
    const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
    sodium.crypto_sign_keypair(publicKey, secretKey);
    // libsodium's secret key is seed || public key; the file keeps the seed, as TUF tools do.
    const seed = secretKey.subarray(0, sodium.crypto_sign_SEEDBYTES);
    const names = keyFileNames(role);
    const privateKeyPath = join(dir, names.privateKey);
    const publicKeyPath = join(dir, names.publicKey);
    const privateText = Buffer.from(encodePrivateKeyFile(seed, publicKey));
    try {
      await createExclusive(privateKeyPath, privateText, 0o600);
    } finally {
      sodium.sodium_memzero(privateText);
      sodium.sodium_memzero(secretKey);
    }
    await createExclusive(publicKeyPath, Buffer.from(encodePublicKeyFile(publicKey)), 0o644);
    generated.push({ role, keyId: keyIdOf(publicKey), privateKeyPath, publicKeyPath });
  }
  await fsyncDirectory(dir);
  return generated;
}

/** Loads a private key file. Refuses one that group or others can read, as ssh does (KEY_INVALID). */
export async function loadSigningKey(path: string): Promise<SigningKey> {
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) {
    throw new AppError('KEY_INVALID', `${path} is readable by others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it.`, {
      source: basename(path),
    });
  }
  const text = await readFile(path);
  let parsed: { seed: Uint8Array; publicKey: Uint8Array };
  try {
    parsed = parsePrivateKeyFile(text.toString('utf8'), path);
  } finally {
    sodium.sodium_memzero(text);
  }
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
  const seed = Buffer.from(parsed.seed);
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed);
  sodium.sodium_memzero(seed);
  parsed.seed.fill(0);
  if (!bytesEqual(publicKey, parsed.publicKey)) {
    sodium.sodium_memzero(secretKey);
    throw new AppError('KEY_INVALID', `${path}: the private key does not match the public key stored with it.`, { source: basename(path) });
  }
  const keyId = keyIdOf(publicKey);
  let disposed = false;
  return {
    keyId,
    publicKey,
    sign(message) {
      if (disposed) throw new Error('the signing key was disposed');
      const signature = Buffer.alloc(sodium.crypto_sign_BYTES);
      sodium.crypto_sign_detached(signature, toBuffer(message), secretKey);
      return signature;
    },
    dispose() {
      disposed = true;
      sodium.sodium_memzero(secretKey);
    },
  };
}

/**
 * Writes a complete, fsynced file under a temporary name, then links it to `path`: link() fails
 * when `path` exists, so the key appears whole or not at all, and never replaces another.
 */
async function createExclusive(path: string, data: Uint8Array, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new AppError('KEY_EXISTS', `${path} already exists; keys are never overwritten.`, { files: [basename(path)] });
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
