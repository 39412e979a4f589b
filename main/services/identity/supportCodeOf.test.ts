import { describe, expect, it } from 'vitest';
import { supportCodeOf } from './supportCodeOf.js';

describe('supportCodeOf', () => {
  it('is eight unambiguous characters in two groups, the same for the same device however its id is written', () => {
    const id = '6f1c1f9e-3b0a-4f5e-9a4b-2a8f4c1d7e10';
    expect(supportCodeOf(id)).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(supportCodeOf(id)).toBe(supportCodeOf(id.toUpperCase()));
  });

  it('tells devices apart: a thousand ids, a thousand codes', () => {
    const codes = new Set<string>();
    for (let i = 0; i < 1000; i++) codes.add(supportCodeOf(`00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`));
    expect(codes.size).toBe(1000);
  });
});
