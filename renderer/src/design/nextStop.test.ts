import { describe, expect, it } from 'vitest';
import { nextStop, type Box } from './nextStop.js';

const box = (left: number, top: number, width: number, height: number): Box => ({ left, top, right: left + width, bottom: top + height });

describe('nextStop', () => {
  it('moves straight down a column and straight along a row of a grid', () => {
    const grid = [box(0, 0, 100, 50), box(120, 0, 100, 50), box(0, 70, 100, 50), box(120, 70, 100, 50)];
    expect(nextStop(grid[0]!, grid, 'down')).toBe(2);
    expect(nextStop(grid[1]!, grid, 'down')).toBe(3);
    expect(nextStop(grid[0]!, grid, 'right')).toBe(1);
    expect(nextStop(grid[3]!, grid, 'up')).toBe(1);
    expect(nextStop(grid[3]!, grid, 'left')).toBe(2);
  });

  it('is -1 at an edge', () => {
    const grid = [box(0, 0, 100, 50), box(0, 70, 100, 50)];
    expect(nextStop(grid[1]!, grid, 'down')).toBe(-1);
    expect(nextStop(grid[0]!, grid, 'left')).toBe(-1);
  });

  it('goes to the row just above before a block further up in its own column', () => {
    // A chip at the right end of a row; above it a search field on the left, and above that a panel in the chip's column.
    const panel = box(500, 0, 470, 500);
    const search = box(0, 560, 400, 50);
    const chip = box(540, 640, 120, 50);
    expect(nextStop(chip, [panel, search, chip], 'up')).toBe(1);
  });

  it('never steps back and forth between two overlapping blocks', () => {
    // Two columns of tall blocks: the left one begins above the right one and ends below its middle.
    const left = box(0, -300, 470, 1000);
    const right = box(500, 20, 470, 530);
    const below = box(0, 800, 300, 50);
    const boxes = [left, right, below];
    expect(nextStop(left, boxes, 'down')).toBe(1);
    expect(nextStop(right, boxes, 'down')).toBe(2);
    expect(nextStop(right, boxes, 'up')).toBe(-1);
  });

  it('prefers what lies straight ahead within the next row', () => {
    // The next row holds a wide panel on the right starting a little earlier and a button straight below.
    const from = box(0, 0, 200, 50);
    const panel = box(500, 80, 400, 300);
    const button = box(20, 100, 150, 50);
    expect(nextStop(from, [from, panel, button], 'down')).toBe(2);
  });

  it('keeps to the row going sideways, before a box in another row that lies nearer', () => {
    // Chips in a row at the top; further down, a chip whose right edge is nearer.
    const lastHour = box(288, 20, 130, 50);
    const lastDay = box(430, 20, 130, 50);
    const debug = box(425, 650, 125, 50);
    expect(nextStop(lastDay, [lastHour, lastDay, debug], 'left')).toBe(0);
  });
});
