import { describe, expect, it } from 'vitest';
import { SessionRecorder, type TimedTrack } from './sessionRecorder.js';
import { lineOf, SYNTHETIC_CIRCUITS, syntheticCircuit } from './syntheticCircuits.js';
import { synthesizeDrive } from './syntheticDrive.js';
import { compareSignatures, MATCH_FRECHET_M, trackSignature } from './trackSignature.js';

describe('SessionRecorder', () => {
  it.each(SYNTHETIC_CIRCUITS.map((c) => [c.id, c] as const))('learns %s from its first loop and times every lap after the out-lap', (_, circuit) => {
    const identified: Parameters<ConstructorParameters<typeof SessionRecorder>[0]>[0][] = [];
    const recorder = new SessionRecorder((loop) => {
      identified.push(loop);
      return { id: 'learned', line: loop.line, sectors: loop.sectors };
    });
    const fixes = synthesizeDrive(circuit, { laps: 4, pitStopsAfterLaps: [2], dropoutsPerLap: 0.5, seed: 8, rateHz: 5 });
    const laps = fixes.flatMap((fix) => recorder.push(fix));
    expect(identified).toHaveLength(1);
    expect(recorder.trackId).toBe('learned');
    // The line sits where the loop closed (after the pit exit): the out-lap to it and the in-lap from it are no laps.
    expect(laps.length).toBe(4);
    expect(laps.filter((l) => l.pit)).toHaveLength(1);
    for (const lap of laps) expect(Math.abs(lap.distanceM - circuit.lengthM) / circuit.lengthM).toBeLessThan(0.03);
    // The loop it learned from is the circuit its laps go round.
    const flying = laps.find((l) => l.valid)!;
    expect(compareSignatures(trackSignature(identified[0]!.fixes), trackSignature(flying.trace)).distanceM).toBeLessThanOrEqual(MATCH_FRECHET_M);
  });

  it('times against a known track: its own lines, and the laps before identification are replayed', () => {
    const circuit = syntheticCircuit('kestrel-ring')!;
    const known: TimedTrack = {
      id: 'kestrel',
      line: { ...lineOf(circuit, circuit.startFinishAtM), halfWidthM: 30 },
      sectors: circuit.sectorsAtM.map((m) => ({ ...lineOf(circuit, m), halfWidthM: 30 })),
    };
    const recorder = new SessionRecorder(() => known);
    const laps = synthesizeDrive(circuit, { laps: 3, seed: 5, rateHz: 10 }).flatMap((fix) => recorder.push(fix));
    expect(laps.map((l) => l.number)).toEqual([1, 2, 3]);
    expect(laps.every((l) => l.sectorsMs?.length === 3)).toBe(true);
  });

  it('ignores fixes out of order and jumps no car makes', () => {
    const recorder = new SessionRecorder(() => {
      throw new Error('no loop here');
    });
    expect(recorder.push({ t: 1000, lat: 52, lon: -1, speed: 20 })).toEqual([]);
    expect(recorder.push({ t: 500, lat: 52.001, lon: -1, speed: 20 })).toEqual([]);
    expect(recorder.push({ t: 2000, lat: 52.01, lon: -1, speed: 20 })).toEqual([]); // 1.1 km in a second
    expect(recorder.status).toBe('learning');
  });
});
