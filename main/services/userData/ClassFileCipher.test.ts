import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, CipherError, classOfCiphertext, decryptBuffer, encryptBuffer, isEncryptedFile } from './ClassFileCipher.js';

const key = randomBytes(32);
const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof CipherError ? error.reason : `other: ${(error as Error).message}`;
  }
  return 'no error';
};

describe('per-class file encryption', () => {
  it('round-trips empty, small and multi-chunk contents, and hides them', () => {
    for (const size of [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES + 17]) {
      const plain = Buffer.concat([Buffer.from('secret words '), randomBytes(size)]);
      const file = encryptBuffer('apps', key, plain);
      expect(isEncryptedFile(file)).toBe(true);
      expect(classOfCiphertext(file)).toBe('apps');
      expect(file.includes(Buffer.from('secret words'))).toBe(false);
      expect(decryptBuffer('apps', key, file).equals(plain)).toBe(true);
    }
  });

  it('refuses another key, another class, a flipped byte, a cut file and bytes after the end', () => {
    const file = encryptBuffer('apps', key, randomBytes(2 * CHUNK_BYTES + 5));
    expect(reason(() => decryptBuffer('apps', randomBytes(32), file))).toBe('wrong-key');
    expect(reason(() => decryptBuffer('profile', key, file))).toBe('other-class');
    const flipped = Buffer.from(file);
    flipped[flipped.length - 30]! ^= 1;
    expect(reason(() => decryptBuffer('apps', key, flipped))).toBe('corrupt');
    // Cut at a chunk boundary: every chunk left authenticates, but the FINAL one is missing.
    const header = 4 + 1 + 4 + 24 + 48 + 24;
    expect(reason(() => decryptBuffer('apps', key, file.subarray(0, header + 4 + CHUNK_BYTES + 17)))).toBe('truncated');
    expect(reason(() => decryptBuffer('apps', key, Buffer.concat([file, Buffer.from('x')])))).toBe('corrupt');
    expect(reason(() => decryptBuffer('apps', key, Buffer.from('plain text')))).toBe('not-encrypted');
  });
});
