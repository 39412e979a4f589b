/**
 * Where the view moves when the keys read through a screen: pure arithmetic on the scroll region's
 * visible band and a block's edges (both in the same coordinates, y growing downwards).
 */

export interface Band {
  top: number;
  bottom: number;
}

/** Room kept between a block and the region's edge, so its focus ring (4 px + 4 px + 8 px glow) shows. */
export const RING_ROOM = 20;

/** Share of the region's height one arrow press reads on through a tall block: the rest stays in view as context. */
export const READ_STEP = 0.5;

/** Share of the region's height PageDown and PageUp move: the last lines of the page before stay in view. */
export const PAGE_STEP = 0.85;

/**
 * How far an arrow press scrolls inside a block that does not fit the view (positive: down), or 0
 * when the block's end in that direction is already in view and the focus may move on. Never past
 * the block's end (plus room for its ring), never more than READ_STEP of the view.
 */
export function readingScroll(view: Band, block: Band, down: boolean): number {
  const step = Math.round((view.bottom - view.top) * READ_STEP);
  if (down) {
    const hidden = block.bottom + RING_ROOM - view.bottom;
    return hidden > 1 ? Math.min(step, Math.ceil(hidden)) : 0;
  }
  const hidden = view.top - (block.top - RING_ROOM);
  return hidden > 1 ? -Math.min(step, Math.ceil(hidden)) : 0;
}

/** How far PageDown (or PageUp) scrolls a region whose visible band is `view`. */
export function pageScroll(view: Band, down: boolean): number {
  const step = Math.max(1, Math.round((view.bottom - view.top) * PAGE_STEP));
  return down ? step : -step;
}

/**
 * After the view moved by a page, Home or End, the block the focus goes to: the first one whose top
 * is in view (PageDown, Home, and PageUp: reading goes on from the top of what is shown), or the last
 * one whose bottom is in view (End); a block that spans the whole view when no edge is. Returns its
 * index in `blocks` (in document order), or -1 when none shows.
 */
export function blockInView(view: Band, blocks: readonly Band[], fromEnd: boolean): number {
  const inView = (y: number) => y >= view.top - 1 && y <= view.bottom + 1;
  const order = blocks.map((_, i) => i);
  if (fromEnd) order.reverse();
  const edgeShown = order.find((i) => inView(fromEnd ? blocks[i]!.bottom : blocks[i]!.top));
  if (edgeShown !== undefined) return edgeShown;
  return order.find((i) => blocks[i]!.top < view.top && blocks[i]!.bottom > view.bottom) ?? -1;
}
