import { describe, expect, it } from 'vitest';
import { entryWords, indexOf, shortestTurn, turn, wheelEntries, wheelStart } from './threeKeyWheel.js';

const LABELS = { done: 'Join', delete: 'Delete the last', show: 'Show', cancel: 'Cancel' };

describe('the three-key wheel', () => {
  it('holds every printable ASCII character once for text, with the commands around the start', () => {
    const entries = wheelEntries('text', true);
    const chars = entries.flatMap((e) => (e.kind === 'char' ? [e.char] : []));
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
    expect([...chars].sort()).toEqual([...printable].sort());
    expect(new Set(chars).size).toBe(chars.length);
    const start = wheelStart(entries);
    expect(entries[start]).toEqual({ kind: 'char', char: 'a' });
    // Done is two turns up from the start, Cancel one turn up from Done (round the wrap).
    expect(shortestTurn(start, indexOf(entries, { command: 'done' }), entries.length)).toBe(-2);
    expect(shortestTurn(indexOf(entries, { command: 'done' }), indexOf(entries, { command: 'cancel' }), entries.length)).toBe(-1);
  });

  it('offers digits only for a PIN, and no Show there', () => {
    const entries = wheelEntries('digits', true);
    expect(entries.filter((e) => e.kind === 'char').map((e) => (e.kind === 'char' ? e.char : ''))).toEqual('0123456789'.split(''));
    expect(indexOf(entries, { command: 'show' })).toBe(-1);
    expect(indexOf(entries, { command: 'cancel' })).toBe(entries.length - 1);
  });

  it('offers Show only for a secret', () => {
    expect(indexOf(wheelEntries('text', false), { command: 'show' })).toBe(-1);
  });

  it('turns round both ways and finds the shorter way', () => {
    expect(turn(0, -1, 10)).toBe(9);
    expect(turn(9, 1, 10)).toBe(0);
    expect(shortestTurn(1, 8, 10)).toBe(-3);
    expect(shortestTurn(8, 1, 10)).toBe(3);
    expect(shortestTurn(4, 4, 10)).toBe(0);
    expect(shortestTurn(0, 5, 10)).toBe(5);
  });

  it('reads characters out plainly', () => {
    expect(entryWords({ kind: 'char', char: ' ' }, LABELS)).toBe('space');
    expect(entryWords({ kind: 'char', char: 'Q' }, LABELS)).toBe('capital Q');
    expect(entryWords({ kind: 'char', char: 'q' }, LABELS)).toBe('q');
    expect(entryWords({ kind: 'command', command: 'done' }, LABELS)).toBe('Join');
  });
});
