import { distance, headingDifference, headingOf, LocalFrame, type LatLon, type TrackFix, type Xy } from './geo.js';

/** A timing line (start/finish or a sector split): where it is, the heading of travel across it, how wide. */
export interface TimingLine {
  at: LatLon;
  headingDeg: number;
  /** Half the width of the gate, metres: wide enough for the pit lane beside the track. */
  halfWidthM: number;
}

/** The rules lap timers use to count a crossing of the start/finish line. */
export interface CrossingRules {
  /** The timer arms only once the car has been this far from the line since the last crossing (GPS jitter at the line). */
  armingDistanceM: number;
  /** No crossing counts before this distance has been driven since the last one (a spin at the line, a short cut). */
  minLapDistanceM: number;
  /** A crossing counts only when the car moves within this many degrees of the line's heading (not the wrong way, not along it). */
  headingWindowDeg: number;
  /** A lap with a gap between fixes longer than this is timed by interpolation but not trusted for the best lap. */
  maxGapMs: number;
}

export const DEFAULT_CROSSING_RULES: CrossingRules = {
  armingDistanceM: 60,
  minLapDistanceM: 800,
  headingWindowDeg: 60,
  maxGapMs: 8_000,
};

/** Below this speed the car is standing (a pit stop); a lap with this much standing is a pit lap. */
const STANDING_MPS = 1;
const PIT_STOP_MS = 5_000;
/** The distance-time profile: the time at each hundredth of the lap's distance (deltas need no positions). */
export const PROFILE_POINTS = 100;

export interface TimedLap {
  /** 1 for the first lap after the first crossing. */
  number: number;
  startedAt: number;
  endedAt: number;
  timeMs: number;
  /** Each sector's time; null when a sector line was not seen (a dropout over it, a cut). */
  sectorsMs: number[] | null;
  distanceM: number;
  longestGapMs: number;
  /** The car stood for 5 s or more in the lap (in the pits). */
  pit: boolean;
  /** Counts for the best lap: no pit stop, no gap longer than the rules allow. */
  valid: boolean;
  /** Milliseconds from the lap's start at each hundredth of its distance (PROFILE_POINTS + 1 values). */
  profile: number[];
  /** The fixes of the lap, the interpolated crossings at both ends included. */
  trace: TrackFix[];
}

/** Where (0..1 along prev->cur) a move crosses a line, or null. */
export function crossingFraction(line: TimingLine, prev: Xy, cur: Xy, headingWindowDeg: number, courseDeg?: number): number | null {
  const rad = (line.headingDeg * Math.PI) / 180;
  const along = (p: Xy) => p.x * Math.sin(rad) + p.y * Math.cos(rad);
  const across = (p: Xy) => p.x * Math.cos(rad) - p.y * Math.sin(rad);
  const a0 = along(prev);
  const a1 = along(cur);
  if (!(a0 < 0 && a1 >= 0)) return null;
  const u = -a0 / (a1 - a0);
  const lateral = across(prev) + u * (across(cur) - across(prev));
  if (Math.abs(lateral) > line.halfWidthM) return null;
  // The receiver's course (Doppler) where it gives one: at pit-lane speed, noise turns the chord between two fixes any way.
  if (headingDifference(courseDeg ?? headingOf(prev, cur), line.headingDeg) > headingWindowDeg) return null;
  return u;
}

/**
 * Splits a stream of fixes into laps at a start/finish line, with sector splits:
 *
 *   unarmed --farther than armingDistanceM from the line, minLapDistanceM driven--> armed
 *      ^                                                                              |
 *      +------------ crosses the line inside the gate, heading in the window ---------+  (a lap ends, the next starts)
 *
 * Before the first crossing only the arming distance applies (the out-lap is not a lap). Crossing
 * times are interpolated between the two fixes either side.
 */
export class LapTimer {
  private readonly frames: LocalFrame[];
  private state: { status: 'unarmed' } | { status: 'armed' } = { status: 'unarmed' };
  private previous: { fix: TrackFix; xy: Xy[] } | null = null;
  private lapStart: { t: number; number: number } | null = null;
  private lapsDone = 0;
  private driven = 0;
  private farthest = 0;
  private sectorTimes: number[] = [];
  private standingMs = 0;
  private longestGapMs = 0;
  private trace: TrackFix[] = [];
  private distances: number[] = [];

  constructor(
    private readonly line: TimingLine,
    private readonly sectors: readonly TimingLine[],
    private readonly rules: CrossingRules = DEFAULT_CROSSING_RULES,
  ) {
    this.frames = [line, ...sectors].map((l) => new LocalFrame(l.at));
  }

  get status(): 'unarmed' | 'armed' {
    return this.state.status;
  }

  /** Feeds one fix (in time order); answers the lap it completes, if any. */
  push(fix: TrackFix): TimedLap | null {
    const xy = this.frames.map((frame) => frame.toXy(fix));
    const previous = this.previous;
    this.previous = { fix, xy };
    if (!previous || fix.t <= previous.fix.t) {
      if (!previous) this.farthest = distance(xy[0]!, { x: 0, y: 0 });
      return null;
    }
    const dt = fix.t - previous.fix.t;
    // Doppler speed is far steadier than the distance between two noisy fixes (noise adds length).
    const step =
      fix.speed !== undefined && previous.fix.speed !== undefined
        ? ((fix.speed + previous.fix.speed) / 2) * (dt / 1000)
        : distance(previous.xy[0]!, xy[0]!);
    const standing = fix.speed !== undefined ? fix.speed < STANDING_MPS : step / (dt / 1000) < STANDING_MPS;

    let completed: TimedLap | null = null;
    const u = crossingFraction(this.line, previous.xy[0]!, xy[0]!, this.rules.headingWindowDeg, fix.heading);
    if (u !== null && this.state.status === 'armed') {
      const at = previous.fix.t + u * dt;
      const crossing = interpolate(previous.fix, fix, u, at);
      if (this.lapStart) {
        this.addToLap(crossing, dt, standing, u * dt, u * step);
        completed = this.finishLap(at);
      }
      this.lapStart = { t: at, number: ++this.lapsDone };
      this.beginLap(crossing);
      this.state = { status: 'unarmed' };
      this.driven = (1 - u) * step;
      this.farthest = distance(xy[0]!, { x: 0, y: 0 });
      // A gap over the line counts against both laps it joins.
      this.addToLap(fix, dt, standing, (1 - u) * dt, (1 - u) * step);
      return completed;
    }
    if (this.lapStart) {
      // A sector line counts in order, under the same geometry as the line.
      const next = this.sectorTimes.length;
      if (next < this.sectors.length) {
        const us = crossingFraction(this.sectors[next]!, previous.xy[next + 1]!, xy[next + 1]!, this.rules.headingWindowDeg, fix.heading);
        if (us !== null) this.sectorTimes.push(previous.fix.t + us * dt);
      }
      this.addToLap(fix, dt, standing, dt, step);
    }
    if (!standing) this.driven += step;
    this.farthest = Math.max(this.farthest, distance(xy[0]!, { x: 0, y: 0 }));
    const minDriven = this.lapStart ? this.rules.minLapDistanceM : 0;
    if (this.state.status === 'unarmed' && this.farthest >= this.rules.armingDistanceM && this.driven >= minDriven) this.state = { status: 'armed' };
    return null;
  }

  private beginLap(crossing: TrackFix): void {
    this.sectorTimes = [];
    this.standingMs = 0;
    this.longestGapMs = 0;
    this.trace = [crossing];
    this.distances = [0];
  }

  private addToLap(fix: TrackFix, gapMs: number, standing: boolean, dt: number, step: number): void {
    if (!this.lapStart) return;
    if (standing) this.standingMs += dt;
    this.longestGapMs = Math.max(this.longestGapMs, gapMs);
    this.trace.push(fix);
    // Standing still, the noise walks the fix about: no distance.
    this.distances.push(this.distances[this.distances.length - 1]! + (standing ? 0 : step));
  }

  private finishLap(endedAt: number): TimedLap {
    const start = this.lapStart!;
    const timeMs = endedAt - start.t;
    const splits = [start.t, ...this.sectorTimes, endedAt];
    const sectorsMs = this.sectorTimes.length === this.sectors.length ? splits.slice(1).map((t, i) => t - splits[i]!) : null;
    const distanceM = this.distances[this.distances.length - 1]!;
    const pit = this.standingMs >= PIT_STOP_MS;
    const valid = !pit && this.longestGapMs <= this.rules.maxGapMs;
    return {
      number: start.number,
      startedAt: start.t,
      endedAt,
      timeMs,
      sectorsMs,
      distanceM,
      longestGapMs: this.longestGapMs,
      pit,
      valid,
      profile: distanceTimeProfile(this.trace, this.distances, start.t),
      trace: this.trace,
    };
  }
}

function interpolate(a: TrackFix, b: TrackFix, u: number, t: number): TrackFix {
  const fix: TrackFix = { t, lat: a.lat + (b.lat - a.lat) * u, lon: a.lon + (b.lon - a.lon) * u };
  if (a.speed !== undefined && b.speed !== undefined) fix.speed = a.speed + (b.speed - a.speed) * u;
  if (b.heading !== undefined) fix.heading = b.heading;
  return fix;
}

/** The time from the lap's start at each hundredth of its distance, interpolated. */
function distanceTimeProfile(trace: readonly TrackFix[], distances: readonly number[], startT: number): number[] {
  const total = distances[distances.length - 1]!;
  const profile: number[] = [];
  let i = 1;
  for (let k = 0; k <= PROFILE_POINTS; k++) {
    const target = (total * k) / PROFILE_POINTS;
    while (i < distances.length - 1 && distances[i]! < target) i++;
    const d0 = distances[i - 1]!;
    const d1 = distances[i]!;
    const u = d1 > d0 ? Math.min(1, Math.max(0, (target - d0) / (d1 - d0))) : 0;
    profile.push(Math.round(trace[i - 1]!.t + (trace[i]!.t - trace[i - 1]!.t) * u - startT));
  }
  return profile;
}
