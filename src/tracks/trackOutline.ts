import { LocalFrame, type LatLon } from './geo.js';
import type { TrackSignature } from './trackSignature.js';

export const OUTLINE_POINTS = 64;

/**
 * A track's outline for a screen: map-free, whole metres east and north of the track's own centre
 * (no position on Earth), in driving order from the start/finish line.
 */
export function trackOutline(signature: TrackSignature, lineAt: LatLon, count = OUTLINE_POINTS): [number, number][] {
  const n = signature.points.length / 2;
  let points = Array.from({ length: n }, (_, i) => ({ x: signature.points[2 * i]!, y: signature.points[2 * i + 1]! }));
  if (signature.direction === 'clockwise') points = points.reverse();
  const line = new LocalFrame(signature.origin).toXy(lineAt);
  let start = 0;
  points.forEach((p, i) => {
    if (Math.hypot(p.x - line.x, p.y - line.y) < Math.hypot(points[start]!.x - line.x, points[start]!.y - line.y)) start = i;
  });
  points = [...points.slice(start), ...points.slice(0, start)];
  return Array.from({ length: count }, (_, k) => points[Math.floor((k * n) / count)]!).map((p) => [Math.round(p.x), Math.round(p.y)]);
}
