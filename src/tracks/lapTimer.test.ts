import { describe, expect, it } from 'vitest';
import { LocalFrame } from './geo.js';
import { LapTimer, type TimedLap, type TimingLine } from './lapTimer.js';
import { lineOf, reversedCircuit, SYNTHETIC_CIRCUITS, type SyntheticCircuit } from './syntheticCircuits.js';
import { synthesizeDrive, type DriveOptions } from './syntheticDrive.js';

function lines(circuit: SyntheticCircuit): { line: TimingLine; sectors: TimingLine[] } {
  return {
    line: { ...lineOf(circuit, circuit.startFinishAtM), halfWidthM: 30 },
    sectors: circuit.sectorsAtM.map((m) => ({ ...lineOf(circuit, m), halfWidthM: 30 })),
  };
}

function time(circuit: SyntheticCircuit, drive: DriveOptions, timed = circuit): TimedLap[] {
  const { line, sectors } = lines(timed);
  const timer = new LapTimer(line, sectors);
  return synthesizeDrive(circuit, drive).flatMap((fix) => timer.push(fix) ?? []);
}

describe('LapTimer', () => {
  it.each(SYNTHETIC_CIRCUITS.map((c) => [c.id, c] as const))('times %s at 1, 10 and 25 Hz within the noise of the noiseless truth', (_, circuit) => {
    const drive = { laps: 3, pitStopsAfterLaps: [2], seed: 11 };
    const truth = time(circuit, { ...drive, rateHz: 100, noiseM: 0, biasM: 0 });
    expect(truth.map((l) => l.number)).toEqual([1, 2, 3]);
    // A crossing is off by the position error along the track over the speed there: 3 sigma of
    // the noise (white 1.5 m, bias 2 m) plus 50 ms of interpolation, so 0.17 s at racing speed and
    // half a second at the pit lane's 60 km/h.
    const sigmaM = Math.hypot(1.5, 2);
    const tolerance = (speed: number | undefined) => (1000 * 3 * sigmaM) / Math.max(speed ?? 10, 10) + 50;
    for (const rateHz of [1, 10, 25]) {
      const laps = time(circuit, { ...drive, rateHz, noiseM: 1.5, biasM: 2 });
      expect(laps).toHaveLength(3);
      laps.forEach((lap, i) => {
        const real = truth[i]!;
        expect(Math.abs(lap.startedAt - real.startedAt)).toBeLessThan(tolerance(real.trace[0]!.speed));
        expect(Math.abs(lap.endedAt - real.endedAt)).toBeLessThan(tolerance(real.trace[real.trace.length - 1]!.speed));
        expect(lap.sectorsMs).toHaveLength(3);
        expect(Math.abs(lap.distanceM - circuit.lengthM) / circuit.lengthM).toBeLessThan(0.03);
      });
      // The lap with the stop in it is a pit lap, not a candidate for the best lap.
      expect(laps.map((l) => l.pit)).toEqual([false, true, false]);
      expect(laps.map((l) => l.valid)).toEqual([true, false, true]);
    }
  });

  it('counts nothing when the car crosses the line the wrong way (outside the heading window)', () => {
    const circuit = SYNTHETIC_CIRCUITS[2]!;
    const laps = time(reversedCircuit(circuit), { laps: 3, seed: 2 }, circuit);
    expect(laps).toEqual([]);
  });

  it('counts one crossing when the fixes jitter back and forth over the line (arming distance)', () => {
    const { line } = lines(SYNTHETIC_CIRCUITS[0]!);
    const frame = new LocalFrame(line.at);
    const rad = (line.headingDeg * Math.PI) / 180;
    const at = (along: number, t: number) => ({
      t,
      ...frame.toLatLon({ x: along * Math.sin(rad), y: along * Math.cos(rad) }),
      heading: line.headingDeg,
    });
    const timer = new LapTimer(line, []);
    // Away from the line far enough to arm, then up to it and across, back and across again, as noise does.
    const fixes = [at(-200, 0), at(-100, 1000), at(-2, 2000), at(2, 3000), at(-2, 4000), at(2, 5000), at(30, 6000)];
    const crossings = fixes.map((f) => (timer.push(f), timer.status));
    expect(crossings.filter((s, i) => s === 'unarmed' && crossings[i - 1] === 'armed')).toHaveLength(1);
  });

  it('does not end a lap before the minimum distance (a loop back over the line)', () => {
    const { line } = lines(SYNTHETIC_CIRCUITS[0]!);
    const frame = new LocalFrame(line.at);
    const rad = (line.headingDeg * Math.PI) / 180;
    const at = (along: number, across: number, t: number) => ({
      t: t * 1000,
      ...frame.toLatLon({ x: along * Math.sin(rad) + across * Math.cos(rad), y: along * Math.cos(rad) - across * Math.sin(rad) }),
    });
    const timer = new LapTimer(line, []);
    // Cross once, drive 200 m on, turn round and come back, turn again and cross: about 630 m, not a lap.
    const path = [
      at(-100, 0, 0),
      at(-10, 0, 1),
      at(10, 0, 2),
      at(200, 0, 6),
      at(200, 20, 7),
      at(-100, 20, 12),
      at(-100, 0, 13),
      at(-10, 0, 14),
      at(10, 0, 15),
    ];
    const laps = path.flatMap((f) => timer.push(f) ?? []);
    expect(laps).toEqual([]);
  });

  it('times a lap with a dropout over the line but does not trust it for the best lap', () => {
    const circuit = SYNTHETIC_CIRCUITS[0]!;
    const { line, sectors } = lines(circuit);
    const timer = new LapTimer(line, sectors, { armingDistanceM: 60, minLapDistanceM: 800, headingWindowDeg: 60, maxGapMs: 3000 });
    const fixes = synthesizeDrive(circuit, { laps: 2, seed: 4, rateHz: 10 });
    const lineFrame = new LocalFrame(line.at);
    // A 6 s dropout around the second crossing.
    const near = fixes.filter((f, i) => i > fixes.length / 2 && Math.hypot(lineFrame.toXy(f).x, lineFrame.toXy(f).y) < 20)[0]!;
    const laps = fixes.filter((f) => Math.abs(f.t - near.t) > 3000).flatMap((f) => timer.push(f) ?? []);
    expect(laps).toHaveLength(2);
    expect(laps.map((l) => l.valid)).toEqual([false, false]);
    expect(Math.max(...laps.map((l) => l.longestGapMs))).toBeGreaterThan(5000);
  });
});
