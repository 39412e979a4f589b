import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  UBootEnvFormatError,
  crc32,
  decodeRedundantUBootEnv,
  decodeUBootEnv,
  encodeRedundantUBootEnv,
  encodeUBootEnv,
  newerRedundantCopy,
  nextUBootEnvFlag,
  readRedundantUBootEnv,
} from './ubootEnvCodec.js';

const ENV_SIZE = 0x2000;
// Any name U-Boot can hold (no '=', no NUL, not empty); any value without NUL, non-ASCII included.
const name = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((s) => !/[=\0]/.test(s));
const value = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0'));
const variableSets = fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n, maxLength: 12 }).map((entries) => new Map(entries));

function expectFormatError(f: () => unknown, kind?: UBootEnvFormatError['kind']): void {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(UBootEnvFormatError);
    if (kind) expect((error as UBootEnvFormatError).kind).toBe(kind);
    return;
  }
  throw new Error('expected a UBootEnvFormatError');
}

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

describe('CRC-32', () => {
  it("is zlib's", () => {
    expect(crc32(bytes('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(bytes('6789'), crc32(bytes('12345')))).toBe(0xcbf43926);
  });
});

describe('U-Boot environment codec', () => {
  it('lays out CRC (little-endian), entries, final NUL and 0xFF padding', () => {
    // Python's zlib.crc32 over the same 0x1ffc data bytes gives 0x623dda82.
    const block = encodeUBootEnv(
      new Map([
        ['foo', 'bar'],
        ['init', '1'],
      ]),
      ENV_SIZE,
    );
    expect(block.length).toBe(ENV_SIZE);
    expect([...block.subarray(0, 4)]).toEqual([0x82, 0xda, 0x3d, 0x62]);
    expect(new TextDecoder().decode(block.subarray(4, 20))).toBe('foo=bar\0init=1\0\0');
    expect(block.subarray(20).every((b) => b === 0xff)).toBe(true);
  });

  it('round-trips any set of variables, single and redundant', () => {
    const bom = new Map([['\uFEFFname', '\uFEFFvalue']]);
    expect(decodeUBootEnv(encodeUBootEnv(bom, ENV_SIZE))).toEqual(bom);
    fc.assert(
      fc.property(variableSets, fc.integer({ min: 0, max: 255 }), (variables, flag) => {
        expect(decodeUBootEnv(encodeUBootEnv(variables, ENV_SIZE))).toEqual(variables);
        const copy = encodeRedundantUBootEnv(variables, ENV_SIZE, flag);
        expect(copy.length).toBe(ENV_SIZE);
        expect(decodeRedundantUBootEnv(copy)).toEqual({ flag, variables });
      }),
    );
  });

  it('detects any change of one byte under the CRC', () => {
    fc.assert(
      fc.property(variableSets, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (variables, at, xor, redundant) => {
        const block = redundant ? encodeRedundantUBootEnv(variables, 256 + 5 + 800, 7) : encodeUBootEnv(variables, 256 + 4 + 800);
        // Every byte but the flag: the CRC itself, the entries, the padding.
        const covered = [...Array(block.length).keys()].filter((i) => !(redundant && i === 4));
        block[covered[at % covered.length]!]! ^= xor;
        expectFormatError(() => (redundant ? decodeRedundantUBootEnv(block) : decodeUBootEnv(block)), 'bad-crc');
      }),
    );
  });

  it('never throws anything but UBootEnvFormatError on arbitrary bytes, valid CRC or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), fc.boolean(), (data, fixCrc, redundant) => {
        const header = redundant ? 5 : 4;
        let block = data;
        if (fixCrc) {
          block = new Uint8Array(header + data.length);
          block.set(data, header);
          const crc = crc32(data);
          block.set([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24]);
        }
        try {
          const variables = redundant ? decodeRedundantUBootEnv(block).variables : decodeUBootEnv(block);
          for (const n of variables.keys()) expect(n.length > 0 && !n.includes('=')).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(UBootEnvFormatError);
        }
      }),
    );
  });

  it('reads entries as libubootenv does: no "=" skipped, later duplicate wins, padding ignored', () => {
    const data = new Uint8Array(64).fill(0x41);
    data.set(bytes('a=1\0noeq\0=x\0a=2\0empty=\0v=x=y\0\0'));
    const block = new Uint8Array(4 + data.length);
    block.set(data, 4);
    const crc = crc32(data);
    block.set([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24]);
    expect(decodeUBootEnv(block)).toEqual(
      new Map([
        ['a', '2'],
        ['empty', ''],
        ['v', 'x=y'],
      ]),
    );
  });

  it('accepts an area filled to the end with complete entries, refuses a cut-off entry', () => {
    const withCrc = (text: string) => {
      const data = bytes(text);
      const block = new Uint8Array(4 + data.length);
      block.set(data, 4);
      const crc = crc32(data);
      block.set([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24]);
      return block;
    };
    expect(decodeUBootEnv(withCrc('a=1\0b=2\0'))).toEqual(
      new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    );
    expectFormatError(() => decodeUBootEnv(withCrc('a=1\0b=2')), 'no-terminator');
  });

  it('refuses what does not fit, bad names and NUL in values', () => {
    // 4 bytes of CRC + "a=12\0" + the final NUL: 10 bytes fit exactly, 9 do not.
    expect(decodeUBootEnv(encodeUBootEnv(new Map([['a', '12']]), 10))).toEqual(new Map([['a', '12']]));
    expectFormatError(() => encodeUBootEnv(new Map([['a', '12']]), 9), 'too-large');
    expectFormatError(() => encodeRedundantUBootEnv(new Map([['a', '12']]), 10, 0), 'too-large');
    expectFormatError(() => encodeUBootEnv(new Map([['A=B', '1']]), ENV_SIZE), 'invalid-name');
    expectFormatError(() => encodeUBootEnv(new Map([['A\0', '1']]), ENV_SIZE), 'invalid-name');
    expectFormatError(() => encodeUBootEnv(new Map([['', '1']]), ENV_SIZE), 'invalid-name');
    expectFormatError(() => encodeUBootEnv(new Map([['A', 'x\0y']]), ENV_SIZE), 'invalid-value');
    expectFormatError(() => decodeUBootEnv(new Uint8Array(4)), 'too-short');
  });
});

describe('redundant copies: which is newer', () => {
  it('orders flags as libubootenv does (checked against fw_printenv 0.3.2)', () => {
    const cases: [number, number, 0 | 1][] = [
      [1, 0, 0],
      [0, 1, 1],
      [5, 5, 0],
      [254, 255, 1],
      [255, 254, 0],
      [255, 0, 1],
      [0, 255, 0], // the wrap
      [250, 3, 0],
      [3, 250, 1],
      [128, 0, 0],
      [0, 200, 1], // nothing else wraps
    ];
    for (const [f0, f1, newer] of cases) expect(newerRedundantCopy(f0, f1)).toBe(newer);
    expect(nextUBootEnvFlag(254)).toBe(255);
    expect(nextUBootEnvFlag(255)).toBe(0);
  });

  it('a run of saves alternates copies and always reads the last one, through 255 -> 0', () => {
    const copies: [Uint8Array | undefined, Uint8Array | undefined] = [encodeRedundantUBootEnv(new Map([['n', 'start']]), 64, 250), undefined];
    for (let save = 0; save < 600; save++) {
      const state = readRedundantUBootEnv(copies[0], copies[1]);
      expect(state.variables.get('n')).toBe(save === 0 ? 'start' : String(save - 1));
      expect(state.next.copy).toBe(state.current === 0 ? 1 : 0);
      copies[state.next.copy] = encodeRedundantUBootEnv(new Map([['n', String(save)]]), 64, state.next.flag);
      const after = readRedundantUBootEnv(copies[0], copies[1]);
      expect(after.current).toBe(state.next.copy);
      expect(after.variables.get('n')).toBe(String(save));
    }
  });

  it('falls back to the valid copy when the newer one is corrupt', () => {
    const older = encodeRedundantUBootEnv(new Map([['v', 'old']]), 64, 255);
    const newer = encodeRedundantUBootEnv(new Map([['v', 'new']]), 64, 0);
    expect(readRedundantUBootEnv(older, newer)).toMatchObject({ current: 1, variables: new Map([['v', 'new']]), next: { copy: 0, flag: 1 } });
    newer[20]! ^= 1;
    const state = readRedundantUBootEnv(older, newer);
    expect(state).toMatchObject({ current: 0, variables: new Map([['v', 'old']]), next: { copy: 1, flag: 0 } });
    expect(state.errors[1]?.kind).toBe('bad-crc');
  });

  it("with neither copy valid, saves to copy 1 with copy 0's flag byte plus one (as fw_setenv does)", () => {
    const garbage = new Uint8Array(64).fill(0x66);
    expect(readRedundantUBootEnv(garbage, undefined)).toMatchObject({ current: undefined, variables: new Map(), next: { copy: 1, flag: 0x67 } });
    expect(readRedundantUBootEnv(undefined, undefined).next).toEqual({ copy: 1, flag: 0 });
  });
});
