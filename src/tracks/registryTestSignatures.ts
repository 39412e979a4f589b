import { LocalFrame, type LatLon } from './geo.js';
import { LapTimer } from './lapTimer.js';
import { lineOf, syntheticCircuit } from './syntheticCircuits.js';
import { synthesizeDrive } from './syntheticDrive.js';
import { cellOf, trackSignature, type TrackSignature } from './trackSignature.js';

/**
 * Signatures for registry tests (headset and server): a flying lap of a test circuit driven by a
 * simulated headset (its seed), and the same layout with a chicane added (a revised layout).
 */
export function registryTestSignature(circuitId: string, seed: number, rateHz = 10): TrackSignature {
  const circuit = syntheticCircuit(circuitId);
  if (!circuit) throw new Error(`no test circuit ${circuitId}`);
  const timer = new LapTimer({ ...lineOf(circuit, circuit.startFinishAtM), halfWidthM: 30 }, []);
  const lap = synthesizeDrive(circuit, { laps: 2, seed, rateHz, noiseM: 1, biasM: 1.5, dropoutsPerLap: 0 })
    .flatMap((fix) => timer.push(fix) ?? [])
    .find((l) => l.valid);
  if (!lap) throw new Error(`no valid lap of ${circuitId}`);
  return trackSignature(lap.trace);
}

/**
 * The layout with a chicane: a stretch of ~24 points (about 500 m on a 5 km circuit) pushed out
 * sideways by up to `offsetM`, smoothly, a quarter of the way round.
 */
export function withChicane(signature: TrackSignature, offsetM: number): TrackSignature {
  const n = signature.points.length / 2;
  const centre = Math.floor(n / 4);
  const half = 12;
  const points = [...signature.points];
  for (let k = -half; k <= half; k++) {
    const i = (centre + k + n) % n;
    const prev = (i - 1 + n) % n;
    const next = (i + 1) % n;
    const tx = signature.points[2 * next]! - signature.points[2 * prev]!;
    const ty = signature.points[2 * next + 1]! - signature.points[2 * prev + 1]!;
    const t = Math.hypot(tx, ty) || 1;
    // The outward normal of an anticlockwise outline is to the right of travel.
    const weight = offsetM * 0.5 * (1 + Math.cos((Math.PI * k) / half));
    points[2 * i] = signature.points[2 * i]! + (ty / t) * weight;
    points[2 * i + 1] = signature.points[2 * i + 1]! - (tx / t) * weight;
  }
  let length = 0;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    length += Math.hypot(points[2 * j]! - points[2 * i]!, points[2 * j + 1]! - points[2 * i + 1]!);
  }
  return { ...signature, points, lengthM: Math.round(length * 10) / 10 };
}

/** The same layout `dLat` degrees further north: another venue (its cells recomputed from its points). */
export function elsewhere(signature: TrackSignature, dLat: number): TrackSignature {
  const origin = { lat: Math.round((signature.origin.lat + dLat) * 1e6) / 1e6, lon: signature.origin.lon };
  const frame = new LocalFrame(origin);
  const cells = new Set<string>();
  for (let i = 0; i < signature.points.length; i += 2) cells.add(cellOf(frame.toLatLon({ x: signature.points[i]!, y: signature.points[i + 1]! })));
  return { ...signature, origin, cells: [...cells].sort() };
}

/** The same outline turned by `turnRad` about its centre and laid at `origin`: another layout at that venue (cells recomputed). */
export function placedAt(signature: TrackSignature, origin: LatLon, turnRad = 0): TrackSignature {
  const frame = new LocalFrame(origin);
  const points: number[] = [];
  const cells = new Set<string>();
  for (let i = 0; i < signature.points.length; i += 2) {
    const x = signature.points[i]! * Math.cos(turnRad) - signature.points[i + 1]! * Math.sin(turnRad);
    const y = signature.points[i]! * Math.sin(turnRad) + signature.points[i + 1]! * Math.cos(turnRad);
    points.push(Math.round(x * 10) / 10, Math.round(y * 10) / 10);
    cells.add(cellOf(frame.toLatLon({ x, y })));
  }
  return { ...signature, origin, points, cells: [...cells].sort() };
}
