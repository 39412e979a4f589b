import { describe, expect, it } from 'vitest';
import type { SavedNetwork } from '../../../src/api/contract.js';
import { moveChanges } from './savedOrder.js';

const net = (id: string, priority: number, support = false): SavedNetwork => ({
  id,
  ssid: id,
  ssidHex: '',
  security: 'wpa2-personal',
  priority,
  hidden: false,
  support,
  hasPassword: true,
  connected: false,
});

/** The order the headset keeps after the changes: support first, then priority, then name. */
function after(saved: SavedNetwork[], changes: { id: string; priority: number }[]): string[] {
  const next = saved.map((n) => ({ ...n, priority: changes.find((c) => c.id === n.id)?.priority ?? n.priority }));
  next.sort((a, b) => Number(b.support) - Number(a.support) || b.priority - a.priority || a.ssid.localeCompare(b.ssid));
  return next.map((n) => n.id);
}

describe('moveChanges', () => {
  it('swaps two networks of different priorities with two changes', () => {
    const saved = [net('a', 5), net('b', 3), net('c', 1)];
    const changes = moveChanges(saved, 'b', 'up');
    expect(changes).toEqual([
      { id: 'b', priority: 5 },
      { id: 'a', priority: 3 },
    ]);
    expect(after(saved, changes)).toEqual(['b', 'a', 'c']);
  });

  it('lifts ties so the order shown is kept, against the name order', () => {
    const saved = [net('a', 0), net('b', 0), net('c', 0)];
    expect(after(saved, moveChanges(saved, 'c', 'up'))).toEqual(['a', 'c', 'b']);
    expect(after(saved, moveChanges(saved, 'a', 'down'))).toEqual(['b', 'a', 'c']);
  });

  it('never moves past or among support networks, nor past the ends', () => {
    const saved = [net('s', 999, true), net('a', 4), net('b', 2)];
    expect(moveChanges(saved, 'a', 'up')).toEqual([]);
    expect(moveChanges(saved, 'b', 'down')).toEqual([]);
    expect(moveChanges(saved, 's', 'down')).toEqual([]);
    expect(after(saved, moveChanges(saved, 'b', 'up'))).toEqual(['s', 'b', 'a']);
  });

  it('numbers afresh when lifting would reach the support priority', () => {
    const saved = [net('a', 998), net('b', 998)];
    const changes = moveChanges(saved, 'b', 'up');
    expect(changes.every((c) => c.priority < 999)).toBe(true);
    expect(after(saved, changes)).toEqual(['b', 'a']);
  });
});
