import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GRUB_ENV_SIZE, GrubEnvFormatError, decodeGrubEnv, encodeGrubEnv } from './grubEnvCodec.js';

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/);
// Any value, including backslashes, newlines, '=' and '#', which the format escapes or tolerates.
const value = fc.string({ maxLength: 40 });

describe('GRUB environment block codec', () => {
  it('round-trips any set of variables that fits', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n, maxLength: 12 }), (entries) => {
        const variables = new Map(entries);
        const block = encodeGrubEnv(variables);
        expect(block.length).toBe(GRUB_ENV_SIZE);
        expect(decodeGrubEnv(block)).toEqual(variables);
      }),
    );
  });

  it('pads with # to exactly 1024 bytes after the header', () => {
    const block = encodeGrubEnv(new Map([['ORDER', 'A B']]));
    const text = new TextDecoder().decode(block);
    expect(text.startsWith('# GRUB Environment Block\nORDER=A B\n')).toBe(true);
    expect(text.slice('# GRUB Environment Block\nORDER=A B\n'.length)).toMatch(/^#+$/);
  });

  it('refuses variables that do not fit, and bad names', () => {
    expect(() => encodeGrubEnv(new Map([['BIG', 'x'.repeat(2000)]]))).toThrow(GrubEnvFormatError);
    expect(() => encodeGrubEnv(new Map([['A=B', '1']]))).toThrow(GrubEnvFormatError);
  });

  it('refuses a block without the header', () => {
    expect(() => decodeGrubEnv(new Uint8Array(1024).fill(0x23))).toThrow(GrubEnvFormatError);
  });

  it('never throws on arbitrary bytes after a valid header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (tail) => {
        const block = new Uint8Array(1024).fill(0x23);
        block.set(new TextEncoder().encode('# GRUB Environment Block\n'));
        block.set(tail.subarray(0, 1024 - 25), 25);
        expect(() => decodeGrubEnv(block)).not.toThrow();
      }),
    );
  });
});
