/** A position on the WGS-84 ellipsoid, in degrees. */
export interface LatLon {
  lat: number;
  lon: number;
}

/** A point in a local plane, metres east (x) and north (y) of a frame's origin. */
export interface Xy {
  x: number;
  y: number;
}

/** One GPS fix as the tracks logic reads it: when (ms), where, and the receiver's speed and course where it gives them. */
export interface TrackFix extends LatLon {
  t: number;
  /** Ground speed (m/s) from the receiver's Doppler measurement; absent where it gives none. */
  speed?: number;
  /** Course over ground, degrees clockwise from north; absent where it gives none (standing still). */
  heading?: number;
}

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/**
 * A local east-north plane around an origin (equirectangular): within a circuit's few kilometres its
 * error is millimetres, far under GPS noise, and it keeps the maths plain.
 */
export class LocalFrame {
  private readonly metresPerDegLon: number;
  private readonly metresPerDegLat = EARTH_RADIUS_M * RAD;

  constructor(readonly origin: LatLon) {
    this.metresPerDegLon = EARTH_RADIUS_M * RAD * Math.cos(origin.lat * RAD);
  }

  toXy(p: LatLon): Xy {
    return { x: (p.lon - this.origin.lon) * this.metresPerDegLon, y: (p.lat - this.origin.lat) * this.metresPerDegLat };
  }

  toLatLon(p: Xy): LatLon {
    return { lat: this.origin.lat + p.y / this.metresPerDegLat, lon: this.origin.lon + p.x / this.metresPerDegLon };
  }
}

export function distance(a: Xy, b: Xy): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Great-circle distance in metres (haversine). */
export function haversineM(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The compass heading (degrees clockwise from north, 0..360) of the move from a to b. */
export function headingOf(a: Xy, b: Xy): number {
  const deg = Math.atan2(b.x - a.x, b.y - a.y) / RAD;
  return deg < 0 ? deg + 360 : deg;
}

/** The smallest angle between two headings, 0..180. */
export function headingDifference(a: number, b: number): number {
  const d = Math.abs((((a - b) % 360) + 360) % 360);
  return d > 180 ? 360 - d : d;
}

/** The length of a polyline (closed: back to its first point too). */
export function polylineLength(points: readonly Xy[], closed = false): number {
  let length = 0;
  for (let i = 1; i < points.length; i++) length += distance(points[i - 1]!, points[i]!);
  if (closed && points.length > 1) length += distance(points[points.length - 1]!, points[0]!);
  return length;
}

/**
 * `count` points equally spaced by arc length along a polyline (closed: the spacing is length/count
 * and the last point stops one step short of the first, which closes it).
 */
export function resampleByArcLength(points: readonly Xy[], count: number, closed: boolean): Xy[] {
  if (points.length < 2 || count < 2) return points.slice(0, count).map((p) => ({ ...p }));
  const path = closed ? [...points, points[0]!] : points;
  const total = polylineLength(path);
  const step = closed ? total / count : total / (count - 1);
  const out: Xy[] = [{ ...path[0]! }];
  let segment = 1;
  let segmentStart = 0; // arc length at path[segment - 1]
  for (let k = 1; k < count; k++) {
    const target = k * step;
    while (segment < path.length - 1 && segmentStart + distance(path[segment - 1]!, path[segment]!) < target) {
      segmentStart += distance(path[segment - 1]!, path[segment]!);
      segment++;
    }
    const a = path[segment - 1]!;
    const b = path[segment]!;
    const length = distance(a, b);
    const u = length === 0 ? 0 : Math.min(1, Math.max(0, (target - segmentStart) / length));
    out.push({ x: a.x + (b.x - a.x) * u, y: a.y + (b.y - a.y) * u });
  }
  return out;
}

/** Twice the signed area (shoelace): positive for an anticlockwise loop. */
export function signedArea2(points: readonly Xy[]): number {
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    const a = points[i]!;
    const b = points[(i + 1) % points.length]!;
    sum += a.x * b.y - b.x * a.y;
  }
  return sum;
}
