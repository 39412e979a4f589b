import { describe, expect, it } from 'vitest';
import { varyingParts } from './varyingParts.js';

describe('varyingParts', () => {
  it('names what varies, once each, in plain words', () => {
    expect(varyingParts('boot <num>: slot <*>')).toBe('Also counted with other numbers and texts in it');
    expect(varyingParts('took <num> ms, then <num> ms at <path> for <uuid>')).toBe('Also counted with other numbers, paths and ids in it');
    expect(varyingParts('headsetd started')).toBeNull();
  });
});
