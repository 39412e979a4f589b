import { describe, expect, it } from 'vitest';
import { fieldRows } from './fieldRows.js';

describe('fieldRows', () => {
  it('reads each field plainly, in order', () => {
    expect(
      fieldRows({
        slot: 'B',
        bytes: 4200000,
        charging: false,
        error: null,
        services: ['gpsd', 'tracking'],
        from: { version: '1.0.0', slot: 'A' },
        deep: { a: { b: 1 } },
      }),
    ).toEqual([
      { name: 'slot', value: 'B' },
      { name: 'bytes', value: '4,200,000' },
      { name: 'charging', value: 'no' },
      { name: 'error', value: '—' },
      { name: 'services', value: 'gpsd, tracking' },
      { name: 'from', value: 'version: 1.0.0, slot: A' },
      { name: 'deep', value: 'a: {"b":1}' },
    ]);
  });
});
