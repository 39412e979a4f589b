import { createHash, generateKeyPairSync, randomInt } from 'node:crypto';
import { open } from 'node:fs/promises';
import { openSshPrivateKeyFile, openSshPublicKeyLine } from '../../../src/support/openSshKey.js';

export interface SessionKey {
  /** The private key file (0600, written exclusively). */
  path: string;
  /** `ssh-ed25519 AAAA… comment` */
  publicKeyLine: string;
  /** The base64 lines of the private key file: registered as secrets while the session lives. */
  secretLines: string[];
}

/**
 * A fresh Ed25519 key pair for one session, written as an OpenSSH private key file with mode 0600
 * (never on a command line, never in a log). The caller deletes the file when the session ends.
 */
export async function writeSessionKey(path: string, comment: string): Promise<SessionKey> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const file = openSshPrivateKeyFile(seed, pub, randomInt(0, 2 ** 32), comment);
  seed.fill(0);
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(file);
  } finally {
    await handle.close();
  }
  const secretLines = file.split('\n').filter((line) => line && !line.startsWith('-----'));
  return { path, publicKeyLine: openSshPublicKeyLine(pub, comment), secretLines };
}

/** OpenSSH's fingerprint of a public key line (`SHA256:…`, as sshd logs it). */
export function keyFingerprint(publicKeyLine: string): string {
  const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
