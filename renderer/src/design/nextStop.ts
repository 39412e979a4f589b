/**
 * Which stop an arrow leads to, from boxes alone (viewport coordinates, y downwards):
 * 1. ahead: a box whose centre lies beyond the focused one's in the pressed direction, and whose near
 *    edge does too (a tall block that began before the focused one is not "below" it: going back and
 *    forth between two overlapping blocks is impossible);
 * 2. for Up and Down, the nearest row: the box whose near edge comes first, with every box that
 *    overlaps it vertically: the next row is never skipped for a box further on in the same column
 *    (Left and Right keep to the focused one's row instead: rows are what a screen is read by);
 * 3. among those, a box straight ahead (overlapping the focused one across the way) before one
 *    aside, then the nearest, sideways distance weighing double: focus moves in straight lines.
 */
export type Direction = 'up' | 'down' | 'left' | 'right';

export interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Added to the score of boxes outside the focused one's row or column: larger than any screen. */
const OUT_OF_LINE = 100_000;

/** The index in `boxes` of the stop the arrow leads to from `from`, or -1 when there is none. */
export function nextStop(from: Box, boxes: readonly Box[], direction: Direction): number {
  const vertical = direction === 'up' || direction === 'down';
  const forward = direction === 'down' || direction === 'right';
  const origin = center(from);
  // Distance along the way: positive ahead.
  const along = (b: Box) => {
    const c = center(b);
    const d = vertical ? c.y - origin.y : c.x - origin.x;
    return forward ? d : -d;
  };
  const nearEdge = (b: Box) => (vertical ? (forward ? b.top : -b.bottom) : forward ? b.left : -b.right);
  const ahead = boxes.map((_, i) => i).filter((i) => along(boxes[i]!) > 1 && nearEdge(boxes[i]!) > nearEdge(from) + 1);
  if (ahead.length === 0) return -1;
  const first = boxes[ahead.reduce((a, b) => (nearEdge(boxes[b]!) < nearEdge(boxes[a]!) ? b : a))]!;
  const row = vertical ? ahead.filter((i) => overlap(boxes[i]!.top, boxes[i]!.bottom, first.top, first.bottom)) : ahead;
  let best = -1;
  let bestScore = Infinity;
  for (const i of row) {
    const b = boxes[i]!;
    const c = center(b);
    const across = vertical ? c.x - origin.x : c.y - origin.y;
    const inLine = vertical ? overlap(from.left, from.right, b.left, b.right) : overlap(from.top, from.bottom, b.top, b.bottom);
    const score = (inLine ? 0 : OUT_OF_LINE) + along(b) + 2 * Math.abs(across);
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}

function overlap(startA: number, endA: number, startB: number, endB: number): boolean {
  return Math.min(endA, endB) - Math.max(startA, startB) > 1;
}

function center(b: Box): { x: number; y: number } {
  return { x: (b.left + b.right) / 2, y: (b.top + b.bottom) / 2 };
}
