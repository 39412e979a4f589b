import { describe, expect, it } from 'vitest';
import { plural } from './plural.js';

describe('plural', () => {
  it('uses the singular for one only', () => {
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(0, 'entry', 'entries')).toBe('0 entries');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
    expect(plural(1204, 'line', 'lines')).toBe('1,204 lines');
  });
});
