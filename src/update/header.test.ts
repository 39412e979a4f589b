import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test-support/api/errorCodes.js';
import {
  BUNDLE_MAGIC,
  HEADER_LENGTH,
  MAX_MANIFEST_LENGTH,
  SIGNATURE_BLOCK_LENGTH,
  decodeBundleHeader,
  decodeSignatureBlock,
  encodeBundleHeader,
  encodeSignatureBlock,
  payloadAreaOffset,
} from './header.js';

describe('bundle header codec', () => {
  it('round-trips every valid header in 16 bytes starting with the magic', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_MANIFEST_LENGTH }), (manifestLength) => {
        const bytes = encodeBundleHeader({ formatVersion: 1, manifestLength });
        expect(bytes.length).toBe(HEADER_LENGTH);
        expect([...bytes.slice(0, 8)]).toEqual([...BUNDLE_MAGIC]);
        expect(decodeBundleHeader(bytes)).toEqual({ formatVersion: 1, manifestLength });
      }),
    );
  });

  it('lays the fields out big-endian at fixed offsets', () => {
    const bytes = encodeBundleHeader({ formatVersion: 1, manifestLength: 0x0102_0304 & 0xfffff });
    expect(new TextDecoder().decode(bytes.slice(0, 8))).toBe('HSBUNDLE');
    expect([...bytes.slice(8)]).toEqual([0, 1, 0, 0, 0x00, 0x02, 0x03, 0x04]);
  });

  it('decodes any 16 bytes to a header or a bundle error, never anything else', () => {
    const codes = new Set(['OK', 'BUNDLE_MALFORMED', 'BUNDLE_UNSUPPORTED_FORMAT', 'BUNDLE_MANIFEST_TOO_LARGE']);
    const arbitraryTail = fc.uint8Array({ minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 16, maxLength: 16 }),
          arbitraryTail.map((tail) => new Uint8Array([...BUNDLE_MAGIC, ...tail])),
        ),
        (bytes) => {
          expect(codes).toContain(codeOf(() => decodeBundleHeader(bytes)));
        },
      ),
    );
  });

  it('calls a cut header truncated, and a short file of something else malformed', () => {
    const full = encodeBundleHeader({ formatVersion: 1, manifestLength: 500 });
    for (let cut = 0; cut < HEADER_LENGTH; cut++)
      expect(
        codeOf(() => decodeBundleHeader(full.slice(0, cut))),
        `cut at ${cut}`,
      ).toBe('BUNDLE_TRUNCATED');
    expect(codeOf(() => decodeBundleHeader(new TextEncoder().encode('PK\x03')))).toBe('BUNDLE_MALFORMED');
  });

  it('refuses a wrong magic, unknown flags, another version, an empty or oversized manifest', () => {
    const header = (patch: (view: DataView) => void) => {
      const bytes = encodeBundleHeader({ formatVersion: 1, manifestLength: 100 });
      patch(new DataView(bytes.buffer));
      return bytes;
    };
    expect(codeOf(() => decodeBundleHeader(header((v) => v.setUint8(0, 0x68))))).toBe('BUNDLE_MALFORMED');
    expect(codeOf(() => decodeBundleHeader(header((v) => v.setUint16(10, 1))))).toBe('BUNDLE_MALFORMED');
    expect(codeOf(() => decodeBundleHeader(header((v) => v.setUint16(8, 2))))).toBe('BUNDLE_UNSUPPORTED_FORMAT');
    expect(codeOf(() => decodeBundleHeader(header((v) => v.setUint16(8, 0))))).toBe('BUNDLE_UNSUPPORTED_FORMAT');
    expect(codeOf(() => decodeBundleHeader(header((v) => v.setUint32(12, 0))))).toBe('BUNDLE_MALFORMED');
    expect(codeOf(() => decodeBundleHeader(header((v) => v.setUint32(12, MAX_MANIFEST_LENGTH + 1))))).toBe('BUNDLE_MANIFEST_TOO_LARGE');
    // The largest a 32-bit field can say: refused from the header alone, nothing allocated.
    expect(codeOf(() => decodeBundleHeader(header((v) => v.setUint32(12, 0xffff_ffff))))).toBe('BUNDLE_MANIFEST_TOO_LARGE');
    expect(codeOf(() => decodeBundleHeader(header(() => undefined)))).toBe('OK');
  });

  it('the encoder refuses what the decoder would', () => {
    expect(() => encodeBundleHeader({ formatVersion: 1, manifestLength: 0 })).toThrow(RangeError);
    expect(() => encodeBundleHeader({ formatVersion: 1, manifestLength: MAX_MANIFEST_LENGTH + 1 })).toThrow(RangeError);
    expect(() => encodeBundleHeader({ formatVersion: 0x10000, manifestLength: 1 })).toThrow(RangeError);
  });

  it('round-trips the signature block and calls a short one truncated', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), (keyId, signature) => {
        const bytes = encodeSignatureBlock({ keyId, signature });
        expect(bytes.length).toBe(SIGNATURE_BLOCK_LENGTH);
        expect(decodeSignatureBlock(bytes)).toEqual({ keyId, signature });
        expect(codeOf(() => decodeSignatureBlock(bytes.slice(0, SIGNATURE_BLOCK_LENGTH - 1)))).toBe('BUNDLE_TRUNCATED');
      }),
    );
    expect(() => encodeSignatureBlock({ keyId: new Uint8Array(31), signature: new Uint8Array(64) })).toThrow(RangeError);
  });

  it('puts the payload area right after the signature block', () => {
    expect(payloadAreaOffset(1000)).toBe(16 + 1000 + 96);
  });
});
