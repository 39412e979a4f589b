import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { discreteFrechet } from './frechet.js';
import { SignatureIndex } from './signatureIndex.js';
import type { TrackFix } from './geo.js';
import { LapTimer, type TimedLap } from './lapTimer.js';
import { lineOf, reversedCircuit, SYNTHETIC_CIRCUITS, syntheticCircuit, type SyntheticCircuit } from './syntheticCircuits.js';
import { synthesizeDrive } from './syntheticDrive.js';
import {
  closedFrechet,
  compareSignatures,
  matchSignature,
  MATCH_FRECHET_M,
  shapeDistance,
  trackSignature,
  type TrackSignature,
} from './trackSignature.js';

/** The valid (no pit, no long gap) laps of a drive: what a headset learns a track from. */
function laps(circuit: SyntheticCircuit, seed: number, rateHz: number, noiseM = 1, biasM = 1.5): TimedLap[] {
  const timer = new LapTimer(
    { ...lineOf(circuit, circuit.startFinishAtM), halfWidthM: 30 },
    circuit.sectorsAtM.map((m) => ({ ...lineOf(circuit, m), halfWidthM: 30 })),
  );
  return synthesizeDrive(circuit, { laps: 3, seed, rateHz, noiseM, biasM, dropoutsPerLap: 0.3 })
    .flatMap((fix) => timer.push(fix) ?? [])
    .filter((lap) => lap.valid);
}

/** A lap's trace started at another point of the loop (another headset's line, or none). */
function startedAt(trace: readonly TrackFix[], fraction: number): TrackFix[] {
  const k = Math.floor(fraction * (trace.length - 1));
  return [...trace.slice(k, -1), ...trace.slice(0, k)];
}

const GP = syntheticCircuit('hollowmere-gp')!;
const NATIONAL = syntheticCircuit('hollowmere-national')!;
const gpLap = laps(GP, 1, 10)[0]!;
const gpSignature = trackSignature(gpLap.trace);

describe('track signature', () => {
  it('is the same circuit whatever the start point, sampling rate, noise and headset (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 5, 10, 25),
        fc.integer({ min: 2, max: 10_000 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        fc.double({ min: 0.3, max: 2.5, noNaN: true }),
        (rateHz, seed, start, noiseM) => {
          const lap = laps(GP, seed, rateHz, noiseM, noiseM)[0]!;
          const signature = trackSignature(startedAt(lap.trace, start));
          const { distanceM, sameDirection } = compareSignatures(gpSignature, signature);
          expect(distanceM).toBeLessThanOrEqual(MATCH_FRECHET_M);
          expect(sameDirection).toBe(true);
          expect(signature.cells).toEqual(gpSignature.cells);
        },
      ),
      { numRuns: 12, seed: 16 },
    );
  });

  it('notes the direction: the same circuit driven the other way matches its geometry, not its direction', () => {
    const reversed = trackSignature(laps(reversedCircuit(GP), 5, 10)[0]!.trace);
    expect(gpSignature.direction).toBe('anticlockwise');
    expect(reversed.direction).toBe('clockwise');
    const { distanceM, sameDirection } = compareSignatures(gpSignature, reversed);
    expect(distanceM).toBeLessThanOrEqual(MATCH_FRECHET_M);
    expect(sameDirection).toBe(false);
  });

  it('keeps the shape descriptor of a layout close whatever the lap, and apart from the other layouts', () => {
    const same = laps(GP, 9, 1).map((lap) => shapeDistance(gpSignature.shape, trackSignature(lap.trace).shape));
    const others = SYNTHETIC_CIRCUITS.filter((c) => c.id !== GP.id).map((c) =>
      shapeDistance(gpSignature.shape, trackSignature(laps(c, 3, 10)[0]!.trace).shape),
    );
    expect(Math.max(...same)).toBeLessThan(Math.min(...others) / 5);
  });

  it('refuses a trace that is no circuit', () => {
    expect(() => trackSignature(gpLap.trace.slice(0, 5))).toThrow(/at least 8 fixes/);
    expect(() => trackSignature(gpLap.trace.slice(0, 10))).toThrow(/too short/);
  });
});

describe('matching on the test circuits (thresholds measured, not assumed)', () => {
  // Two headsets (seeds), two sampling rates, every valid lap: the signatures a registry would see.
  const samples: { circuit: string; signature: TrackSignature }[] = SYNTHETIC_CIRCUITS.flatMap((circuit) =>
    [
      [21, 1],
      [22, 10],
      [23, 25],
    ].flatMap(([seed, rate]) => laps(circuit, seed!, rate!).map((lap) => ({ circuit: circuit.id, signature: trackSignature(lap.trace) }))),
  );
  const pairs = samples.flatMap((a, i) => samples.slice(i + 1).map((b) => ({ same: a.circuit === b.circuit, a, b })));
  const measured = pairs.map((p) => ({ ...p, distanceM: closedFrechet(p.a.signature, p.b.signature, 1e6) }));

  it('separates the same circuit from every other one (the other layout of the venue included) with the threshold between them', () => {
    const same = measured.filter((m) => m.same).map((m) => m.distanceM);
    const different = measured.filter((m) => !m.same).map((m) => m.distanceM);
    const venue = measured.filter((m) => !m.same && [m.a.circuit, m.b.circuit].every((id) => id.startsWith('hollowmere-'))).map((m) => m.distanceM);
    expect(same.length).toBeGreaterThan(20);
    expect(venue.length).toBeGreaterThan(10);
    // Recorded in docs/tracks.md: the same circuit at most ~26 m (an in-lap through the pit lane,
    // 18 m beside the track, against a flying lap; flying laps ~12 m), the other layout of Hollowmere ~600 m.
    expect(Math.max(...same) * 1.25).toBeLessThan(MATCH_FRECHET_M);
    expect(Math.min(...different)).toBeGreaterThan(MATCH_FRECHET_M * 4);
    expect(Math.min(...venue)).toBeGreaterThan(MATCH_FRECHET_M * 4);
  });

  it('has precision and recall 1 on the test circuits, the prefilters included', () => {
    let truePositive = 0;
    let falsePositive = 0;
    let falseNegative = 0;
    for (const { same, a, b } of pairs) {
      const matched = compareSignatures(a.signature, b.signature).distanceM <= MATCH_FRECHET_M;
      if (matched && same) truePositive++;
      else if (matched) falsePositive++;
      else if (same) falseNegative++;
    }
    expect({ truePositive: truePositive > 0, falsePositive, falseNegative }).toEqual({ truePositive: true, falsePositive: 0, falseNegative: 0 });
  });

  it('finds the right track among the known ones, and none for a layout it does not know', () => {
    const known = SYNTHETIC_CIRCUITS.filter((c) => c.id !== NATIONAL.id).map((c) => trackSignature(laps(c, 40, 10)[0]!.trace));
    const kestrel = trackSignature(laps(syntheticCircuit('kestrel-ring')!, 41, 1)[0]!.trace);
    expect(matchSignature(kestrel, known)?.index).toBe(1);
    const national = trackSignature(laps(NATIONAL, 42, 10)[0]!.trace);
    expect(matchSignature(national, known)).toBeNull();
  });

  it('finds the same through the cell index as by scanning, and compares only the venue', () => {
    const index = new SignatureIndex<{ id: string; signature: TrackSignature }>();
    for (const circuit of SYNTHETIC_CIRCUITS) index.add({ id: circuit.id, signature: trackSignature(laps(circuit, 50, 5)[0]!.trace) });
    for (const circuit of SYNTHETIC_CIRCUITS) expect(index.match(trackSignature(laps(circuit, 51, 1)[0]!.trace))?.item.id).toBe(circuit.id);
    expect(index.size).toBe(4);
  });
});

describe('discreteFrechet', () => {
  it('is the largest of the coupled distances: two parallel lines 3 m apart are 3 m apart', () => {
    const a = [0, 0, 10, 0, 20, 0];
    const b = [0, 3, 10, 3, 20, 3];
    expect(discreteFrechet(a, b)).toBeCloseTo(3);
    expect(discreteFrechet(a, [20, 3, 10, 3, 0, 3])).toBeCloseTo(Math.hypot(20, 3));
    expect(discreteFrechet(a, b, 2)).toBe(Infinity);
  });

  it('gives the same answer with a band when the coupling runs near the diagonal, and with early abandoning', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 20, maxLength: 20 }), (ys) => {
        const a = ys.flatMap((y, i) => [i * 10, y]);
        const b = ys.flatMap((y, i) => [i * 10 + 1, y + 1]);
        const full = discreteFrechet(a, b);
        expect(discreteFrechet(a, b, Infinity, 4)).toBeCloseTo(full);
        expect(discreteFrechet(a, b, full + 1e-9)).toBeCloseTo(full);
        expect(discreteFrechet(a, b, full * 0.99 - 1e-9)).toBe(Infinity);
      }),
      { numRuns: 50 },
    );
  });
});
