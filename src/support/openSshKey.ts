/**
 * Ed25519 keys in OpenSSH's own formats, from raw bytes: the private key file (`openssh-key-v1`,
 * unencrypted: it lives 0600 in a root-only folder for one session) and the public key line.
 * Made here rather than by `ssh-keygen` so a session's key costs no process (the tunnel's setup
 * time is benchmarked against `ssh` alone).
 */

const KEY_TYPE = 'ssh-ed25519';
const MAGIC = 'openssh-key-v1\0';

/** The `ssh-ed25519 AAAA… comment` line of a 32-byte public key. */
export function openSshPublicKeyLine(publicKey: Uint8Array, comment = ''): string {
  const line = `${KEY_TYPE} ${toBase64(publicKeyBlob(publicKey))}`;
  return comment ? `${line} ${comment}` : line;
}

/**
 * The private key file of a 32-byte seed and its 32-byte public key. `checkInt` is the format's
 * random check value (any 32-bit number; OpenSSH compares the two copies it writes).
 */
export function openSshPrivateKeyFile(seed: Uint8Array, publicKey: Uint8Array, checkInt: number, comment = ''): string {
  if (seed.length !== 32 || publicKey.length !== 32) throw new RangeError('an Ed25519 seed and public key are 32 bytes each');
  const enc = new TextEncoder();
  const secret = new Uint8Array(64);
  secret.set(seed, 0);
  secret.set(publicKey, 32);
  const privateParts = [u32(checkInt), u32(checkInt), str(enc.encode(KEY_TYPE)), str(publicKey), str(secret), str(enc.encode(comment))];
  let privateSection = concat(privateParts);
  // Padded with 1, 2, 3… to the cipher's block size (8 for "none").
  const padLength = (8 - (privateSection.length % 8)) % 8;
  privateSection = concat([privateSection, Uint8Array.from({ length: padLength }, (_, i) => i + 1)]);
  const none = enc.encode('none');
  const body = concat([enc.encode(MAGIC), str(none), str(none), str(new Uint8Array(0)), u32(1), str(publicKeyBlob(publicKey)), str(privateSection)]);
  const lines = toBase64(body).match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

function publicKeyBlob(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) throw new RangeError('an Ed25519 public key is 32 bytes');
  return concat([str(new TextEncoder().encode(KEY_TYPE)), str(publicKey)]);
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}

/** SSH's `string`: a 32-bit length, then the bytes. */
function str(bytes: Uint8Array): Uint8Array {
  return concat([u32(bytes.length), bytes]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
