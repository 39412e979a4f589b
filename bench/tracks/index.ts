import { performance } from 'node:perf_hooks';
import { seededRandom } from '../../src/seededRandom.js';
import { LocalFrame } from '../../src/tracks/geo.js';
import { LapTimer } from '../../src/tracks/lapTimer.js';
import { SignatureIndex } from '../../src/tracks/signatureIndex.js';
import { lineOf, SYNTHETIC_CIRCUITS, syntheticCircuit } from '../../src/tracks/syntheticCircuits.js';
import { synthesizeDrive } from '../../src/tracks/syntheticDrive.js';
import { matchSignature, trackSignature, type TrackSignature } from '../../src/tracks/trackSignature.js';
import { percentile, type BenchResult } from '../harness.js';

const REGISTRY = 10_000;
const RUNS = 25;

/**
 * Matching a lap against a registry of 10,000 tracks (issue 16's goal: under 50 ms): the test
 * circuits' layouts placed at random venues across Europe, turned and scaled, plus the query's own
 * venue with both its layouts. The reference is the same matcher without the cell index (a linear
 * scan over the registry with the cheap prefilters per track). Both must find the same track.
 */
export async function benchTracks(): Promise<BenchResult[]> {
  const random = seededRandom(16);
  const registry: { id: string; signature: TrackSignature }[] = [];
  const at = (circuitId: string, origin: { lat: number; lon: number }, turn: number, scale: number): TrackSignature => {
    const circuit = syntheticCircuit(circuitId)!;
    const frame = new LocalFrame(origin);
    const every = Math.max(1, Math.floor(circuit.centreline.length / 600));
    const points = circuit.centreline
      .filter((_, i) => i % every === 0)
      .map(({ x, y }) =>
        frame.toLatLon({ x: scale * (x * Math.cos(turn) - y * Math.sin(turn)), y: scale * (x * Math.sin(turn) + y * Math.cos(turn)) }),
      );
    return trackSignature(points);
  };
  const gp = syntheticCircuit('hollowmere-gp')!;
  registry.push({ id: 'hollowmere-national', signature: at('hollowmere-national', gp.origin, 0, 1) });
  registry.push({ id: 'hollowmere-gp', signature: at('hollowmere-gp', gp.origin, 0, 1) });
  const built = performance.now();
  while (registry.length < REGISTRY) {
    const circuit = SYNTHETIC_CIRCUITS[Math.floor(random() * SYNTHETIC_CIRCUITS.length)]!;
    const origin = { lat: 36 + random() * 22, lon: -9 + random() * 33 };
    registry.push({ id: `t${registry.length}`, signature: at(circuit.id, origin, random() * 2 * Math.PI, 0.8 + random() * 0.4) });
  }
  const buildMs = performance.now() - built;
  const index = new SignatureIndex<{ id: string; signature: TrackSignature }>();
  for (const item of registry) index.add(item);

  // The query: a flying lap of Hollowmere GP from a 10 Hz receiver, start where its line is.
  const timer = new LapTimer({ ...lineOf(gp, gp.startFinishAtM), halfWidthM: 30 }, []);
  const lap = synthesizeDrive(gp, { laps: 2, seed: 5, rateHz: 10 })
    .flatMap((fix) => timer.push(fix) ?? [])
    .find((l) => l.valid)!;

  const indexed: number[] = [];
  const linear: number[] = [];
  let foundIndexed = '';
  let foundLinear = '';
  const signatures = registry.map((r) => r.signature);
  // Interleaved, so the load of the machine falls on both alike.
  for (let run = 0; run < RUNS; run++) {
    let t = performance.now();
    const signature = trackSignature(lap.trace);
    foundIndexed = index.match(signature)?.item.id ?? 'none';
    indexed.push(performance.now() - t);
    t = performance.now();
    const scanned = matchSignature(trackSignature(lap.trace), signatures);
    foundLinear = scanned ? registry[scanned.index]!.id : 'none';
    linear.push(performance.now() - t);
  }
  indexed.sort((a, b) => a - b);
  linear.sort((a, b) => a - b);
  const median = (xs: number[]) => Math.round(percentile(xs, 50) * 100) / 100;
  const p95 = (xs: number[]) => Math.round(percentile(xs, 95) * 100) / 100;
  const correct = foundIndexed === 'hollowmere-gp' && foundLinear === 'hollowmere-gp';
  return [
    {
      name: 'tracks: signature and match of a lap against 10,000 tracks',
      metric: 'median time (signature + match, cell index)',
      value: median(indexed),
      unit: 'ms',
      goal: '< 50 ms, the right track',
      met: median(indexed) < 50 && correct,
      details: { p95Ms: p95(indexed), found: foundIndexed, registryBuildMs: Math.round(buildMs), runs: RUNS },
    },
    {
      name: 'tracks: the same against a linear scan (reference)',
      metric: 'linear scan median / indexed median',
      value: Math.round((percentile(linear, 50) / percentile(indexed, 50)) * 10) / 10,
      unit: 'x',
      goal: '> 1x, the same track',
      met: percentile(linear, 50) > percentile(indexed, 50) && foundLinear === foundIndexed,
      details: { linearMedianMs: median(linear), linearP95Ms: p95(linear), found: foundLinear },
    },
  ];
}
