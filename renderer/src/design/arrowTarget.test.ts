import { describe, expect, it } from 'vitest';
import { arrowTarget, type NestedStop } from './arrowTarget.js';

const stop = (left: number, top: number, width: number, height: number, within = -1): NestedStop => ({
  left,
  top,
  right: left + width,
  bottom: top + height,
  within,
});

describe('arrowTarget', () => {
  // A list of log entries: the second holds its details button at its bottom left.
  const refresh = stop(0, 0, 150, 50);
  const first = stop(0, 100, 900, 60);
  const second = stop(0, 170, 900, 110);
  const details = stop(12, 220, 120, 48, 2);
  const third = stop(0, 290, 900, 60);
  const list = [refresh, first, second, details, third];

  it('goes Up from a details button to the entry that holds it, not past it', () => {
    expect(arrowTarget(list, 3, 'up')).toBe(2);
  });

  it('goes Down from an entry into its details button, then on to the next entry', () => {
    expect(arrowTarget(list, 2, 'down')).toBe(3);
    expect(arrowTarget(list, 3, 'down')).toBe(4);
  });

  it("goes Down from one entry's details to the next entry, not to the next entry's details that lie nearer", () => {
    // Two entries with a details button each, at their bottom left: the next button scores nearer than its entry.
    const a = stop(0, 0, 900, 100);
    const aDetails = stop(12, 50, 130, 48, 0);
    const b = stop(0, 105, 900, 100);
    const bDetails = stop(12, 145, 130, 48, 2);
    const stops = [a, aDetails, b, bDetails];
    expect(arrowTarget(stops, 1, 'down')).toBe(2);
    expect(arrowTarget(stops, 2, 'down')).toBe(3);
    // Coming up from a small control below them, the entry too, not its details button.
    const below = stop(12, 230, 130, 48);
    expect(arrowTarget([...stops, below], 4, 'up')).toBe(2);
  });

  it('does not lift into a tall container beside that began above', () => {
    // Left column: a button; right column: a tall card that starts above it, holding a button lower down.
    const button = stop(0, 100, 150, 48);
    const card = stop(500, 0, 400, 600);
    const cardButton = stop(520, 200, 150, 48, 1);
    expect(arrowTarget([button, card, cardButton], 0, 'down')).toBe(2);
  });

  it('goes Up from an entry to the one above it, never into its own inner stops', () => {
    expect(arrowTarget(list, 2, 'up')).toBe(1);
    expect(arrowTarget(list, 1, 'up')).toBe(0);
  });

  it('enters a container whose control sits at its top even though that control begins above its middle', () => {
    // A tall card with a button on its first line: by boxes alone the button is not below the card.
    const card = stop(0, 0, 900, 400);
    const button = stop(700, 4, 150, 48, 0);
    const after = stop(0, 420, 900, 60);
    const stops = [card, button, after];
    expect(arrowTarget(stops, 0, 'down')).toBe(1);
    expect(arrowTarget(stops, 1, 'down')).toBe(2);
    expect(arrowTarget(stops, 1, 'up')).toBe(0);
    // Coming up from below, the card itself: it is read from its bottom up (its button is reached going down).
    expect(arrowTarget(stops, 2, 'up')).toBe(0);
  });

  it('goes Up between the inner stops of one container before reaching the container', () => {
    const card = stop(0, 0, 900, 300);
    const top = stop(20, 40, 150, 48, 0);
    const bottom = stop(20, 200, 150, 48, 0);
    const stops = [card, top, bottom];
    expect(arrowTarget(stops, 2, 'up')).toBe(1);
    expect(arrowTarget(stops, 1, 'up')).toBe(0);
    expect(arrowTarget(stops, 1, 'down')).toBe(2);
    expect(arrowTarget(stops, 2, 'down')).toBe(-1);
  });

  it('goes sideways from an inner stop to what lies beside it, never to its container', () => {
    const card = stop(0, 0, 400, 200);
    const inner = stop(20, 60, 150, 48, 0);
    const beside = stop(500, 60, 150, 48);
    const stops = [card, inner, beside];
    expect(arrowTarget(stops, 1, 'right')).toBe(2);
    expect(arrowTarget(stops, 1, 'left')).toBe(-1);
    expect(arrowTarget(stops, 2, 'left')).not.toBe(1);
  });

  it('behaves as nextStop when nothing is nested', () => {
    const grid = [stop(0, 0, 100, 50), stop(120, 0, 100, 50), stop(0, 70, 100, 50)];
    expect(arrowTarget(grid, 0, 'down')).toBe(2);
    expect(arrowTarget(grid, 0, 'right')).toBe(1);
    expect(arrowTarget(grid, 2, 'up')).toBe(0);
    expect(arrowTarget(grid, 2, 'down')).toBe(-1);
  });
});
