import { describe, expect, it } from 'vitest';
import { RING_ROOM, blockInView, pageScroll, readingScroll } from './scrollGeometry.js';

const view = { top: 100, bottom: 700 };

describe('readingScroll', () => {
  it('is 0 when the block ends in view: the focus moves on', () => {
    expect(readingScroll(view, { top: 200, bottom: 400 }, true)).toBe(0);
    expect(readingScroll(view, { top: 200, bottom: 400 }, false)).toBe(0);
  });

  it('reads a tall block on by half a view at most', () => {
    expect(readingScroll(view, { top: 120, bottom: 2000 }, true)).toBe(300);
    expect(readingScroll(view, { top: -2000, bottom: 650 }, false)).toBe(-300);
  });

  it('stops at the block end with room for its focus ring', () => {
    expect(readingScroll(view, { top: 120, bottom: 750 }, true)).toBe(50 + RING_ROOM);
    expect(readingScroll(view, { top: 60, bottom: 650 }, false)).toBe(-(40 + RING_ROOM));
  });

  it('counts a block whose end is just at the edge, without its ring, as not yet read', () => {
    expect(readingScroll(view, { top: 120, bottom: 700 }, true)).toBe(RING_ROOM);
  });
});

describe('pageScroll', () => {
  it('moves most of a view, keeping some lines for context', () => {
    expect(pageScroll(view, true)).toBe(510);
    expect(pageScroll(view, false)).toBe(-510);
  });

  it('moves at least one pixel on a tiny region', () => {
    expect(pageScroll({ top: 0, bottom: 0 }, true)).toBe(1);
  });
});

describe('blockInView', () => {
  const blocks = [
    { top: -300, bottom: -100 },
    { top: 50, bottom: 300 },
    { top: 320, bottom: 500 },
    { top: 520, bottom: 900 },
  ];

  it('takes the first block whose top shows, reading downwards', () => {
    expect(blockInView(view, blocks, false)).toBe(2);
  });

  it('takes the last block whose bottom shows, from the end', () => {
    expect(blockInView(view, blocks, true)).toBe(2);
    expect(blockInView({ top: 600, bottom: 1000 }, blocks, true)).toBe(3);
  });

  it('takes a block spanning the whole view when no edge shows', () => {
    expect(blockInView(view, [{ top: 0, bottom: 2000 }], false)).toBe(0);
  });

  it('is -1 when nothing shows', () => {
    expect(blockInView(view, [{ top: 800, bottom: 900 }], false)).toBe(-1);
    expect(blockInView(view, [], true)).toBe(-1);
  });
});
