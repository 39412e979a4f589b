import { describe, expect, it } from 'vitest';
import { normalizeSupportCode, supportCodeFromDigest, supportCodeInput } from './supportCode.js';

describe('support code', () => {
  it('hashes a fixed label and the id in lower case', () => {
    expect(supportCodeInput('6F1C1F9E-3B0A-4F5E-9A4B-2A8F4C1D7E10')).toBe('headset-support-code\u00006f1c1f9e-3b0a-4f5e-9a4b-2a8f4c1d7e10');
  });

  it('reads the first 40 bits of the digest, five bits a character', () => {
    expect(supportCodeFromDigest(new Uint8Array([0, 0, 0, 0, 0]))).toBe('0000-0000');
    expect(supportCodeFromDigest(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x12]))).toBe('ZZZZ-ZZZZ');
    // 00001 00010 00011 ... : 0x08 0x86 0x42 0x98 0xe8
    expect(supportCodeFromDigest(new Uint8Array([0x08, 0x86, 0x42, 0x98, 0xe8]))).toBe('1234-5678');
    expect(() => supportCodeFromDigest(new Uint8Array(4))).toThrow();
  });

  it('reads back what support types, however it is typed', () => {
    expect(normalizeSupportCode(' k7m2 9qpx ')).toBe('K7M2-9QPX');
    expect(normalizeSupportCode('OILZ-0000')).toBe('011Z-0000');
    expect(normalizeSupportCode('K7M2-9QP')).toBeUndefined();
    expect(normalizeSupportCode('K7M2-9QPU')).toBeUndefined();
  });
});
