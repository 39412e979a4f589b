import { seededRandom } from '../seededRandom.js';
import { distance, headingOf, LocalFrame, type TrackFix, type Xy } from './geo.js';
import { pointAlong, type SyntheticCircuit } from './syntheticCircuits.js';

/**
 * A drive on a synthetic circuit as a GPS receiver would report it: out of the pit box, `laps`
 * timed laps, pit stops after the laps listed, back into the box. The speed comes from the geometry
 * (cornering grip, acceleration and braking limits, the pit lane's speed limit) with a pace that
 * varies from lap to lap; the receiver adds what real ones do: white noise, a slowly wandering bias
 * (atmosphere, multipath), dropouts of a few seconds, its own sampling rate. Deterministic for a seed.
 */
export interface DriveOptions {
  laps: number;
  /** Line crossings (1..laps) after which the car stops in its pit box. */
  pitStopsAfterLaps?: number[];
  pitStopS?: number;
  /** Fixes per second (a phone 1, sports receivers 10-25). */
  rateHz?: number;
  /** Standard deviation of each fix's white noise, metres. */
  noiseM?: number;
  /** Standard deviation of the slowly varying bias, metres (about 20 s correlation). */
  biasM?: number;
  /** Expected dropouts per lap (each 1.5-5 s without a fix). */
  dropoutsPerLap?: number;
  /** Scales the lap times' spread (0: every lap the same pace). */
  paceSpread?: number;
  seed?: number;
  /** The time of the first fix, ms. */
  startAt?: number;
}

const STEP_M = 1;
const TOP_SPEED = 72; // m/s, about 260 km/h
const LATERAL_GRIP = 13; // m/s², a fast car on slicks about 1.3 g
const BRAKING = 11;
const PIT_LIMIT = 16.7; // 60 km/h
const MAX_ACCELERATION = 7;

/** Curvature (1/m) along the centreline, from the circle through points 8 m either side, smoothed over 20 m. */
function curvatures(circuit: SyntheticCircuit): Float64Array {
  const line = circuit.centreline;
  const n = line.length;
  const spacing = circuit.lengthM / n;
  const k = Math.max(1, Math.round(8 / spacing));
  const raw = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = line[(i - k + n) % n]!;
    const b = line[i]!;
    const c = line[(i + k) % n]!;
    const cross = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
    raw[i] = (2 * Math.abs(cross)) / Math.max(1e-9, distance(a, b) * distance(b, c) * distance(a, c));
  }
  const w = Math.max(1, Math.round(10 / spacing));
  const smooth = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = -w; j <= w; j++) sum += raw[(i + j + n) % n]!;
    smooth[i] = sum / (2 * w + 1);
  }
  return smooth;
}

function smoothstep(u: number): number {
  const x = Math.min(1, Math.max(0, u));
  return x * x * (3 - 2 * x);
}

export function synthesizeDrive(circuit: SyntheticCircuit, options: DriveOptions): TrackFix[] {
  const random = seededRandom(options.seed ?? 1);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const L = circuit.lengthM;
  const { entryBeforeLineM, boxAfterLineM, exitAfterLineM, offsetM } = circuit.pit;
  const line = circuit.startFinishAtM;
  const stops = new Set(options.pitStopsAfterLaps ?? []);
  const lastPass = options.laps + 1;
  const pits = (pass: number) => pass === 0 || pass === lastPass || stops.has(pass);
  const kappa = curvatures(circuit);
  const spacing = L / circuit.centreline.length;
  const pace = Array.from({ length: lastPass + 1 }, () => 1 + (options.paceSpread ?? 1) * 0.012 * gaussian());

  // The drive as distance D along the track, from the box of pass 0 to the box of the last pass.
  const startD = line + boxAfterLineM;
  const endD = line + lastPass * L + boxAfterLineM;
  const steps = Math.ceil((endD - startD) / STEP_M);
  const vmax = new Float64Array(steps + 1);
  const lateral = new Float64Array(steps + 1);
  const dwellAt = new Map<number, number>();
  for (let j = 0; j <= steps; j++) {
    const D = startD + j * STEP_M;
    const pass = Math.round((D - line) / L); // the nearest line crossing
    const fromLine = D - (line + pass * L);
    const s = ((D % L) + L) % L;
    const k = kappa[Math.floor(s / spacing) % kappa.length]!;
    const lap = Math.min(lastPass, Math.max(0, Math.floor((D - line) / L) + 1));
    let v = Math.min(TOP_SPEED, Math.sqrt((LATERAL_GRIP * pace[lap]!) / Math.max(k, 1e-6)));
    if (pits(pass) && fromLine >= -entryBeforeLineM && fromLine <= exitAfterLineM) {
      lateral[j] = offsetM * smoothstep((fromLine + entryBeforeLineM) / 120) * smoothstep((exitAfterLineM - fromLine) / 120);
      if (fromLine >= -entryBeforeLineM + 100 && fromLine <= exitAfterLineM - 60) v = Math.min(v, PIT_LIMIT);
      if (Math.abs(fromLine - boxAfterLineM) < STEP_M / 2) {
        v = 0;
        if (stops.has(pass)) dwellAt.set(j, (options.pitStopS ?? 25) * 1000);
      }
    }
    vmax[j] = v;
  }
  vmax[0] = 0;
  vmax[steps] = 0;
  // Forward: acceleration limited (less at speed); backward: braking limited.
  const v = Float64Array.from(vmax);
  for (let j = 1; j <= steps; j++) {
    const accel = MAX_ACCELERATION * Math.max(0.15, 1 - v[j - 1]! / (TOP_SPEED * 1.1));
    v[j] = Math.min(vmax[j]!, Math.sqrt(v[j - 1]! ** 2 + 2 * accel * STEP_M));
  }
  for (let j = steps - 1; j >= 0; j--) v[j] = Math.min(v[j]!, Math.sqrt(v[j + 1]! ** 2 + 2 * BRAKING * STEP_M));

  // Time at each step; a stop dwells where it is.
  const times = new Float64Array(steps + 1);
  for (let j = 1; j <= steps; j++) {
    const mean = (v[j - 1]! + v[j]!) / 2;
    times[j] = times[j - 1]! + (1000 * STEP_M) / Math.max(mean, 0.5) + (dwellAt.get(j - 1) ?? 0);
  }

  const frame = new LocalFrame(circuit.origin);
  const positionAt = (D: number): Xy => {
    const j = Math.min(steps, Math.max(0, Math.round((D - startD) / STEP_M)));
    const { xy, heading } = pointAlong(circuit, D);
    const rad = (heading * Math.PI) / 180;
    return { x: xy.x + Math.cos(rad) * lateral[j]!, y: xy.y - Math.sin(rad) * lateral[j]! };
  };

  const rate = options.rateHz ?? 10;
  const period = 1000 / rate;
  const total = times[steps]!;
  const dropouts = dropoutWindows(total, (options.dropoutsPerLap ?? 0) * options.laps, random);
  const tau = 20_000;
  const biasSigma = options.biasM ?? 1.5;
  const noise = options.noiseM ?? 1;
  let bias = { x: biasSigma * gaussian(), y: biasSigma * gaussian() };
  const decay = Math.exp(-period / tau);
  const startAt = options.startAt ?? 0;
  const fixes: TrackFix[] = [];
  let j = 0;
  for (let T = 0; T <= total; T += period) {
    bias = {
      x: bias.x * decay + biasSigma * Math.sqrt(1 - decay * decay) * gaussian(),
      y: bias.y * decay + biasSigma * Math.sqrt(1 - decay * decay) * gaussian(),
    };
    while (j < steps && times[j + 1]! <= T) j++;
    if (dropouts.some(([from, to]) => T >= from && T < to)) continue;
    // Between steps j and j+1 (a dwell sits at the start of its step: the car stands at step j).
    const span = times[Math.min(steps, j + 1)]! - times[j]!;
    const dwell = dwellAt.get(j) ?? 0;
    const u = span <= 0 ? 0 : Math.max(0, (T - times[j]! - dwell) / (span - dwell));
    const D = startD + (j + Math.min(1, u)) * STEP_M;
    const speed = v[j]! + (v[Math.min(steps, j + 1)]! - v[j]!) * Math.min(1, u);
    const here = positionAt(D);
    const ahead = positionAt(D + 2);
    const p = { x: here.x + bias.x + noise * gaussian(), y: here.y + bias.y + noise * gaussian() };
    const fix: TrackFix = { t: Math.round(startAt + T), ...frame.toLatLon(p), speed: Math.max(0, speed + 0.1 * gaussian()) };
    if (speed > 1) fix.heading = (headingOf(here, ahead) + 0.8 * gaussian() + 360) % 360;
    fixes.push(fix);
  }
  return fixes;
}

function dropoutWindows(totalMs: number, expected: number, random: () => number): [number, number][] {
  const count = Math.floor(expected) + (random() < expected - Math.floor(expected) ? 1 : 0);
  const windows: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const from = totalMs * (0.05 + 0.9 * random());
    windows.push([from, from + 1500 + 3500 * random()]);
  }
  return windows;
}
