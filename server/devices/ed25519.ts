import { createPublicKey, verify } from 'node:crypto';

// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw 32-byte key follows it.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Whether `signatureBase64` is `publicKeyBase64`'s Ed25519 signature of `message`; false for any malformed input. */
export function verifyEd25519(publicKeyBase64: string, message: string, signatureBase64: string): boolean {
  const key = Buffer.from(publicKeyBase64, 'base64');
  const signature = Buffer.from(signatureBase64, 'base64');
  if (key.length !== 32 || signature.length !== 64) return false;
  try {
    const publicKey = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, key]), format: 'der', type: 'spki' });
    return verify(null, Buffer.from(message, 'utf8'), publicKey, signature);
  } catch {
    return false;
  }
}
