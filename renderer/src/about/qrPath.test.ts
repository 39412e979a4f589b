import { encode } from 'uqr';
import { describe, expect, it } from 'vitest';
import { qrPath } from './qrPath.js';

describe('qrPath', () => {
  it('draws every dark module of the code once, inside a quiet zone', () => {
    const { path, size } = qrPath('K7M2-9QPX');
    // Nine characters fit the smallest symbol (21 modules) with four modules of quiet zone around it.
    expect(size).toBe(21 + 8);
    const cells = [...path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const dark = encode('K7M2-9QPX', { ecc: 'M', border: 4 }).data.flatMap((row, y) => row.flatMap((on, x) => (on ? [[x, y]] : [])));
    expect(cells).toEqual(dark);
    expect(cells.every(([x, y]) => x! >= 4 && y! >= 4 && x! < size - 4 && y! < size - 4)).toBe(true);
    // The finder pattern's corner: a dark module at the symbol's top left.
    expect(cells).toContainEqual([4, 4]);
  });

  it('differs for different codes', () => {
    expect(qrPath('K7M2-9QPX').path).not.toBe(qrPath('K7M2-9QPY').path);
  });
});
