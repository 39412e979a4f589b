import { discreteFrechet } from './frechet.js';
import { LocalFrame, polylineLength, resampleByArcLength, signedArea2, type LatLon, type Xy } from './geo.js';

/**
 * A circuit's signature (geometry-based track identity), from one lap's trace: the same for the same
 * circuit whatever lap it came from, where the lap started, the direction it was driven (which it
 * notes), the receiver's noise and its sampling rate.
 *
 * - centreline: the lap resampled by arc length (after smoothing the noise over ~10 m) into
 *   SIGNATURE_POINTS points, turned anticlockwise, starting at a canonical point (the one farthest
 *   along a fixed bearing), in metres around its own centroid;
 * - cells: the coarse grid cells (0.01°, about a kilometre) it passes through: where the circuit is
 *   at the coarsest, enough to find candidates; also all the location that leaves the headset
 *   unless the wearer shares a session;
 * - shape: low-order Fourier descriptor magnitudes of the closed outline, invariant to start point,
 *   rotation, position and scale: the same layout anywhere.
 */
export interface TrackSignature {
  version: 1;
  /** The centroid the points are measured from (rounded to 1e-6°, about 0.1 m). */
  origin: LatLon;
  /** Flat [x0, y0, x1, y1, ...], metres east and north of the origin, anticlockwise, canonical start. */
  points: number[];
  lengthM: number;
  /** The direction the lap was driven in (points are always stored anticlockwise). */
  direction: 'clockwise' | 'anticlockwise';
  cells: string[];
  shape: number[];
}

export const SIGNATURE_POINTS = 256;
export const CELL_DEG = 0.01;
const SMOOTHING_SPACING_M = 5;
const SMOOTHING_HALF_WINDOW = 2;
const FOURIER_ORDERS = 8;
/** The bearing along which the farthest point is the canonical start (not along a compass axis: designed straights often are). */
const CANONICAL_BEARING_RAD = 1;

/**
 * The largest discrete Fréchet distance at which two signatures are the same circuit, and the
 * largest relative difference of lengths. Chosen from the distances measured on the test circuits
 * (trackMatching.test.ts measures them again on every run, docs/tracks.md records them): flying
 * laps of the same circuit from other headsets, noise and rates are about 12 m apart, an in-lap
 * through the pit lane (18 m beside the track) up to 26 m; the other layout of the same venue ~600 m.
 */
export const MATCH_FRECHET_M = 40;
export const LENGTH_TOLERANCE = 0.1;
/** The coupling band of the comparison, in points: room for a 10% difference in length and then some. */
const BAND = Math.ceil(SIGNATURE_POINTS * 0.12);

export class SignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignatureError';
  }
}

/** The signature of a lap, from its fixes in driving order (a closed loop: it ends near where it began). */
export function trackSignature(trace: readonly LatLon[]): TrackSignature {
  if (trace.length < 8) throw new SignatureError(`a lap needs at least 8 fixes for a signature, got ${trace.length}`);
  const centroid = { lat: mean(trace.map((p) => p.lat)), lon: mean(trace.map((p) => p.lon)) };
  const origin = { lat: round(centroid.lat, 1e6), lon: round(centroid.lon, 1e6) };
  const frame = new LocalFrame(origin);
  const raw = dropStanding(trace.map((p) => frame.toXy(p)));
  const length = polylineLength(raw, true);
  if (length < 200) throw new SignatureError(`a lap of ${Math.round(length)} m is too short to be a circuit`);
  const dense = resampleByArcLength(raw, Math.max(16, Math.round(length / SMOOTHING_SPACING_M)), true);
  const smooth = movingAverage(dense, SMOOTHING_HALF_WINDOW);
  let points = resampleByArcLength(smooth, SIGNATURE_POINTS, true);
  const direction = signedArea2(points) >= 0 ? 'anticlockwise' : 'clockwise';
  if (direction === 'clockwise') points = points.reverse();
  points = rotateToCanonicalStart(points);
  const cells = [...new Set(points.map((p) => cellOf(frame.toLatLon(p))))].sort();
  return {
    version: 1,
    origin,
    points: points.flatMap((p) => [round(p.x, 10), round(p.y, 10)]),
    lengthM: round(polylineLength(points, true), 10),
    direction,
    cells,
    shape: fourierShape(points),
  };
}

/** The coarse cell a position is in: `<lat index>:<lon index>` on a 0.01° grid. */
export function cellOf(p: LatLon): string {
  return `${Math.floor(p.lat / CELL_DEG)}:${Math.floor(p.lon / CELL_DEG)}`;
}

export interface SignatureComparison {
  /** Discrete Fréchet distance of the closed outlines (metres), Infinity when over the bound or ruled out before. */
  distanceM: number;
  /** Both were driven the same way round. */
  sameDirection: boolean;
}

/** Cheap tests first (a shared cell, lengths within tolerance), then the Fréchet distance, decided against `boundM`. */
export function compareSignatures(a: TrackSignature, b: TrackSignature, boundM = MATCH_FRECHET_M): SignatureComparison {
  const sameDirection = a.direction === b.direction;
  if (!sharesCell(a.cells, b.cells)) return { distanceM: Infinity, sameDirection };
  if (Math.abs(a.lengthM - b.lengthM) > LENGTH_TOLERANCE * Math.max(a.lengthM, b.lengthM)) return { distanceM: Infinity, sameDirection };
  return { distanceM: closedFrechet(a, b, boundM), sameDirection };
}

/** The best match among candidates: the nearest within the threshold, or null. */
export function matchSignature(
  signature: TrackSignature,
  candidates: readonly TrackSignature[],
  thresholdM = MATCH_FRECHET_M,
): { index: number; distanceM: number; sameDirection: boolean } | null {
  let best: { index: number; distanceM: number; sameDirection: boolean } | null = null;
  candidates.forEach((candidate, index) => {
    const bound = best ? Math.min(thresholdM, best.distanceM) : thresholdM;
    const { distanceM, sameDirection } = compareSignatures(signature, candidate, bound);
    if (distanceM <= bound && (!best || distanceM < best.distanceM)) best = { index, distanceM, sameDirection };
  });
  return best;
}

/**
 * The Fréchet distance of two closed outlines whose starts may differ a little (the canonical start
 * moves along a straight that faces the bearing): b is turned to start at each of its points nearest
 * a's start (the local minima within the bound), and the smallest distance wins.
 */
export function closedFrechet(a: TrackSignature, b: TrackSignature, boundM: number): number {
  const offset = new LocalFrame(a.origin).toXy(b.origin);
  const n = b.points.length / 2;
  const bx = (k: number) => b.points[2 * (k % n)]! + offset.x;
  const by = (k: number) => b.points[2 * (k % n) + 1]! + offset.y;
  const ax0 = a.points[0]!;
  const ay0 = a.points[1]!;
  const d = (k: number) => Math.hypot(bx(k) - ax0, by(k) - ay0);
  const closedA = [...a.points, ax0, ay0];
  let best = Infinity;
  for (let k = 0; k < n; k++) {
    const here = d(k);
    if (here > boundM || here > d(k + n - 1) || here > d(k + 1)) continue;
    const turned = new Float64Array(2 * (n + 1));
    for (let i = 0; i <= n; i++) {
      turned[2 * i] = bx(k + i);
      turned[2 * i + 1] = by(k + i);
    }
    best = Math.min(best, discreteFrechet(closedA, turned, Math.min(boundM, best), BAND));
  }
  return best;
}

/** Distance between two shape descriptors (0 for the same outline anywhere, at any scale). */
export function shapeDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum);
}

function sharesCell(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return b.some((cell) => set.has(cell));
}

function rotateToCanonicalStart(points: Xy[]): Xy[] {
  const cx = mean(points.map((p) => p.x));
  const cy = mean(points.map((p) => p.y));
  let best = 0;
  let bestValue = -Infinity;
  points.forEach((p, i) => {
    const value = (p.x - cx) * Math.cos(CANONICAL_BEARING_RAD) + (p.y - cy) * Math.sin(CANONICAL_BEARING_RAD);
    if (value > bestValue) {
      bestValue = value;
      best = i;
    }
  });
  return [...points.slice(best), ...points.slice(0, best)];
}

/** |c_k| / |c_1| for k = -FOURIER_ORDERS..FOURIER_ORDERS but 0 and 1 (the outline is anticlockwise: c_1 dominates). */
function fourierShape(points: readonly Xy[]): number[] {
  const n = points.length;
  const cx = mean(points.map((p) => p.x));
  const cy = mean(points.map((p) => p.y));
  const magnitude = (k: number) => {
    let re = 0;
    let im = 0;
    points.forEach((p, i) => {
      const angle = (-2 * Math.PI * k * i) / n;
      const x = p.x - cx;
      const y = p.y - cy;
      re += x * Math.cos(angle) - y * Math.sin(angle);
      im += x * Math.sin(angle) + y * Math.cos(angle);
    });
    return Math.hypot(re, im) / n;
  };
  const c1 = magnitude(1) || 1;
  const shape: number[] = [];
  for (let k = -FOURIER_ORDERS; k <= FOURIER_ORDERS; k++) if (k !== 0 && k !== 1) shape.push(round(magnitude(k) / c1, 1e4));
  return shape;
}

function dropStanding(points: Xy[]): Xy[] {
  const kept: Xy[] = [points[0]!];
  for (const p of points.slice(1)) {
    const last = kept[kept.length - 1]!;
    if (Math.hypot(p.x - last.x, p.y - last.y) >= 0.5) kept.push(p);
  }
  return kept;
}

function movingAverage(points: readonly Xy[], half: number): Xy[] {
  const n = points.length;
  return points.map((_, i) => {
    let x = 0;
    let y = 0;
    for (let j = -half; j <= half; j++) {
      const p = points[(i + j + n) % n]!;
      x += p.x;
      y += p.y;
    }
    return { x: x / (2 * half + 1), y: y / (2 * half + 1) };
  });
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function round(value: number, scale: number): number {
  return Math.round(value * scale) / scale;
}
