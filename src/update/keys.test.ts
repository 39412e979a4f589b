import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test-support/api/errorCodes.js';
import {
  KEY_ROLES,
  assertNoExistingKeys,
  encodePrivateKeyFile,
  encodePublicKeyFile,
  keyIdMaterial,
  parsePrivateKeyFile,
  parsePublicKeyFile,
} from './keys.js';

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('key files', () => {
  it('round-trip public and private keys', () => {
    fc.assert(
      fc.property(bytes32, bytes32, (seed, publicKey) => {
        expect(parsePublicKeyFile(encodePublicKeyFile(publicKey))).toEqual(publicKey);
        expect(parsePrivateKeyFile(encodePrivateKeyFile(seed, publicKey))).toEqual({ seed, publicKey });
      }),
    );
  });

  it('hashes the TUF key object for the key id', () => {
    const publicKey = new Uint8Array(32).fill(0xab);
    expect(new TextDecoder().decode(keyIdMaterial(publicKey))).toBe(
      `{"keytype":"ed25519","keyval":{"public":"${'ab'.repeat(32)}"},"scheme":"ed25519"}`,
    );
    expect(encodePublicKeyFile(publicKey)).toBe(`${new TextDecoder().decode(keyIdMaterial(publicKey))}\n`);
  });

  it('refuses what is not the expected kind of key file', () => {
    const publicKey = new Uint8Array(32).fill(1);
    const privateFile = encodePrivateKeyFile(new Uint8Array(32), publicKey);
    expect(codeOf(() => parsePublicKeyFile(privateFile))).toBe('KEY_INVALID');
    expect(codeOf(() => parsePrivateKeyFile(encodePublicKeyFile(publicKey)))).toBe('KEY_INVALID');
    for (const text of [
      '',
      'null',
      '[]',
      '{"keytype":"rsa","scheme":"ed25519","keyval":{}}',
      '{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"AB"}}',
      encodePublicKeyFile(publicKey).replace(/"public":"../, '"public":"'),
    ]) {
      expect(
        codeOf(() => parsePublicKeyFile(text)),
        text,
      ).toBe('KEY_INVALID');
    }
  });

  it('refuses to generate over any existing key file', () => {
    expect(codeOf(() => assertNoExistingKeys(['notes.txt', 'bundle.pem']))).toBe('OK');
    for (const role of KEY_ROLES) {
      expect(codeOf(() => assertNoExistingKeys([`${role}.key`]))).toBe('KEY_EXISTS');
      expect(codeOf(() => assertNoExistingKeys([`${role}.pub`]))).toBe('KEY_EXISTS');
    }
  });
});
