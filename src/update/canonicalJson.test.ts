import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CanonicalJsonError,
  MAX_CANONICAL_DEPTH,
  canonicalJson,
  canonicalJsonBytes,
  parseCanonicalJson,
  type CanonicalValue,
} from './canonicalJson.js';

// Keys include "__proto__", "" and non-ASCII, which naive encoders get wrong.
const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', '', 'constructor', 'é', '\u{1F600}', 'a"b\\c'));
const json: fc.Arbitrary<CanonicalValue> = fc.letrec<{ value: CanonicalValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    fc.constant(null),
    fc.boolean(),
    fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -5, max: 5 })),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/**
 * The oracle: JSON.stringify for scalars, keys ordered by an explicit UTF-16 code unit comparison.
 * (A re-built object cannot serve: JavaScript enumerates integer-like keys first, "0" before "".)
 */
function codeUnitCompare(a: string, b: string): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
function sortedStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort(codeUnitCompare)
      .map((k) => `${JSON.stringify(k)}:${sortedStringify(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value === 0 ? 0 : value);
}

function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => shuffleKeys(v, seed + i));
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    const rotated = keys.length ? [...keys.slice(seed % keys.length), ...keys.slice(0, seed % keys.length)].reverse() : keys;
    const out: Record<string, unknown> = Object.create(null);
    for (const k of rotated) Object.defineProperty(out, k, { value: shuffleKeys((value as Record<string, unknown>)[k], seed + 1), enumerable: true });
    return out;
  }
  return value;
}

describe('canonical JSON', () => {
  it('is what sorting keys and JSON.stringify give', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalJson(value)).toBe(sortedStringify(value));
      }),
    );
  });

  it('round-trips through its bytes, and its bytes are the only ones accepted', () => {
    fc.assert(
      fc.property(json, (value) => {
        const bytes = canonicalJsonBytes(value);
        const parsed = parseCanonicalJson(bytes);
        expect(canonicalJson(parsed)).toBe(canonicalJson(value));
        expect(new TextDecoder().decode(bytes)).toBe(sortedStringify(parsed));
      }),
    );
  });

  it('does not depend on key insertion order', () => {
    fc.assert(
      fc.property(json, fc.nat(), (value, seed) => {
        expect(canonicalJson(shuffleKeys(value, seed))).toBe(canonicalJson(value));
      }),
    );
  });

  it('refuses any other spelling of the same value (whitespace, key order, escapes)', () => {
    fc.assert(
      fc.property(json, (value) => {
        const canonical = canonicalJson(value);
        for (const other of [JSON.stringify(value, null, 1), JSON.stringify(shuffleKeys(value, 1)), ` ${canonical}`, `${canonical}\n`]) {
          if (other === canonical) continue;
          expect(() => parseCanonicalJson(new TextEncoder().encode(other))).toThrow(CanonicalJsonError);
        }
      }),
    );
  });

  it('has no whitespace outside strings', () => {
    expect(canonicalJson({ b: [1, 2, { d: null, c: true }], a: 'x y' })).toBe('{"a":"x y","b":[1,2,{"c":true,"d":null}]}');
  });

  it('sorts keys by UTF-16 code units, as RFC 8785 does', () => {
    expect(canonicalJson({ '\u{1F600}': 1, '\uFB01': 2, a: 3, B: 4 })).toBe('{"B":4,"a":3,"\u{1F600}":1,"\uFB01":2}');
  });

  it('writes integers plainly, -0 as 0, and refuses anything else a signer could spell two ways', () => {
    expect(canonicalJson([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, -0, 6 * 1024 ** 3])).toBe(
      '[9007199254740991,-9007199254740991,0,6442450944]',
    );
    for (const bad of [
      1.5,
      Number.MAX_SAFE_INTEGER + 1,
      NaN,
      Infinity,
      undefined,
      { a: undefined },
      new Date(0),
      new Map(),
      () => 1,
      10n,
      Symbol('s'),
    ]) {
      expect(() => canonicalJson(bad), String(bad)).toThrow(CanonicalJsonError);
    }
  });

  it('escapes lone surrogates and control characters, and reads them back', () => {
    const value = { s: '\ud800 \u0000 \u001f "\\' };
    const text = canonicalJson(value);
    expect(text).toBe('{"s":"\\ud800 \\u0000 \\u001f \\"\\\\"}');
    expect(parseCanonicalJson(new TextEncoder().encode(text))).toEqual(value);
  });

  it('refuses duplicate keys, invalid UTF-8, a byte-order mark, other number spellings', () => {
    for (const text of ['{"a":1,"a":1}', '{"a":1.0}', '{"a":1e3}', '{"a":-0}', '{"a":"\\u0041"}', '\uFEFF{}', '']) {
      expect(() => parseCanonicalJson(new TextEncoder().encode(text)), text).toThrow(CanonicalJsonError);
    }
    expect(() => parseCanonicalJson(new Uint8Array([0x22, 0xc3, 0x28, 0x22]))).toThrow(/UTF-8/);
  });

  it('refuses nesting deeper than its limit instead of exhausting the stack', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(() => parseCanonicalJson(new TextEncoder().encode(deep))).toThrow(CanonicalJsonError);
    let ok: unknown = 1;
    for (let i = 0; i < MAX_CANONICAL_DEPTH; i++) ok = [ok];
    expect(canonicalJson(ok)).toBe(`${'['.repeat(MAX_CANONICAL_DEPTH)}1${']'.repeat(MAX_CANONICAL_DEPTH)}`);
  });
});
