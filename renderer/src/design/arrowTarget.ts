import { nextStop, type Box, type Direction } from './nextStop.js';

/**
 * Which stop an arrow leads to when stops sit inside stops (a log entry, itself a stop, holding its
 * details button): boxes alone cannot tell, since a container's box encloses what it holds.
 *
 *   container ──Down──▶ its first inner stop ──Down──▶ … ──Down──▶ the next stop after the container
 *   container ◀──Up─── its first inner stop ◀──Up──── …
 *
 * - Down (or Right, Left) from a stop never leads to a container it sits in: that is behind it.
 * - Up and Down reach a container before what it holds (see entrance).
 * - Down from a container goes into it, to its first row; then on as nextStop says.
 * - Up from an inner stop goes to the stop above it inside the same container, else to the container
 *   itself (never past it to the stop before the container).
 * - Up and sideways from a container leave what it holds alone: its inner stops are not beside it.
 * - Up from below a container lands on the container, as nextStop says: it is read from its bottom up
 *   (a tall one scrolls through, see spatialNavigation), so no line is skipped; what it holds is
 *   reached going down.
 */
export interface NestedStop extends Box {
  /** The index of the nearest stop this one sits inside, or -1. */
  within: number;
}

/** The index in `stops` of the stop the arrow leads to from `stops[from]`, or -1. */
export function arrowTarget(stops: readonly NestedStop[], from: number, direction: Direction): number {
  const origin = stops[from]!;
  const containers = chain(stops, from);
  const inside = (i: number) => chain(stops, i).includes(from);
  const inner = stops.map((_, i) => i).filter(inside);
  if (direction === 'down' && inner.length > 0) {
    // Enter from the container's top edge: what it holds begins at or below it.
    const edge: Box = { top: origin.top - 2, bottom: origin.top - 1, left: origin.left, right: origin.right };
    return inner[nextStop(edge, pick(stops, inner), 'down')] ?? -1;
  }
  const others = stops.map((_, i) => i).filter((i) => i !== from && !containers.includes(i) && !inside(i));
  const nearest = others[nextStop(origin, pick(stops, others), direction)] ?? -1;
  const best = direction === 'up' || direction === 'down' ? entrance(stops, nearest, origin, containers, direction) : nearest;
  const container = containers[0];
  if (direction !== 'up' || container === undefined) return best;
  // Up stays inside the container until its top: the container comes before whatever is above it.
  return best !== -1 && chain(stops, best).includes(container) ? best : container;
}

/**
 * A container is entered at the container: going down past the end of one entry, the next entry
 * comes before its details button, though the button's box may score nearer. Up and Down lift
 * `target` to the outermost container around it that still lies wholly ahead (one that began
 * before `origin`, like a tall block beside it, is not ahead) and that `origin` is not inside.
 */
function entrance(stops: readonly NestedStop[], target: number, origin: Box, containers: readonly number[], direction: 'up' | 'down'): number {
  if (target === -1) return -1;
  let at = target;
  for (const outer of chain(stops, target)) {
    if (containers.includes(outer)) break;
    const box = stops[outer]!;
    if (direction === 'down' ? box.top <= origin.top + 1 : box.bottom >= origin.bottom - 1) break;
    at = outer;
  }
  return at;
}

/** The containers of `stops[i]`, nearest first. */
function chain(stops: readonly NestedStop[], i: number): number[] {
  const out: number[] = [];
  // Bounded by the count of stops: a malformed cycle cannot loop.
  for (let at = stops[i]!.within; at !== -1 && out.length < stops.length; at = stops[at]!.within) out.push(at);
  return out;
}

function pick(stops: readonly NestedStop[], indexes: readonly number[]): Box[] {
  return indexes.map((i) => stops[i]!);
}
