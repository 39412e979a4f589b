import { distance, headingDifference, headingOf, LocalFrame, type TrackFix, type Xy } from './geo.js';
import { DEFAULT_CROSSING_RULES, LapTimer, type CrossingRules, type TimedLap, type TimingLine } from './lapTimer.js';

/** A circuit the recorder times against: its start/finish line and sector lines. */
export interface TimedTrack {
  id: string;
  line: TimingLine;
  sectors: TimingLine[];
}

/** What the recorder asks its owner when the first loop closes: which track this is (a known one, or a new one made from the loop). */
export type IdentifyTrack = (loop: { fixes: TrackFix[]; line: TimingLine; sectors: TimingLine[] }) => TimedTrack;

/** A loop closes where the car passes within this distance of where it was, heading the same way ... */
const CLOSURE_M = 10;
const CLOSURE_HEADING_DEG = 30;
/** ... after at least this much driving (a circuit is longer; a pit lane's U-turn is not a loop). */
const MIN_LOOP_M = 1000;
/** Faster than this between two fixes is a jump of the receiver, not driving. */
const MAX_SPEED_MPS = 120;
const GATE_HALF_WIDTH_M = 30;
const SECTORS = 3;
const GRID_M = 20;

/**
 * One session on a circuit from the GPS's fixes:
 *
 *   learning{trace} --first loop closes (identify: a known track, or a new one)--> timing{track, timer}
 *
 * While learning it keeps the fixes; when the car first comes back to where it was (same heading,
 * a kilometre or more later) the loop is handed to `identify`, and the fixes so far are replayed
 * through a lap timer on the track's lines, so no lap before identification is lost. A new track's
 * start/finish line is where the loop closed, its sectors split the loop in thirds.
 */
export class SessionRecorder {
  private state:
    | { status: 'learning'; trace: TrackFix[]; xy: Xy[]; driven: number[]; grid: Map<string, number[]>; frame: LocalFrame | null }
    | { status: 'timing'; track: TimedTrack; timer: LapTimer } = { status: 'learning', trace: [], xy: [], driven: [], grid: new Map(), frame: null };
  private readonly laps: TimedLap[] = [];
  private lastFix: TrackFix | null = null;

  constructor(
    private readonly identify: IdentifyTrack,
    private readonly rules: CrossingRules = DEFAULT_CROSSING_RULES,
  ) {}

  get trackId(): string | null {
    return this.state.status === 'timing' ? this.state.track.id : null;
  }

  get status(): 'learning' | 'timing' {
    return this.state.status;
  }

  /** The laps completed so far, in order. */
  completedLaps(): readonly TimedLap[] {
    return this.laps;
  }

  /** Feeds one fix; answers the laps it completed (several when identification replays the trace). */
  push(fix: TrackFix): TimedLap[] {
    const last = this.lastFix;
    if (last && (fix.t <= last.t || jumped(last, fix))) return [];
    this.lastFix = fix;
    const state = this.state;
    if (state.status === 'timing') return this.time(state.timer, fix);
    state.frame ??= new LocalFrame(fix);
    const xy = state.frame.toXy(fix);
    const i = state.trace.length;
    const previousXy = state.xy[i - 1];
    // Standing (in the pit box) the noise walks the fix about: no distance, no loop.
    const standing = fix.speed !== undefined && fix.speed < 1;
    const driven = previousXy && !standing ? state.driven[i - 1]! + distance(previousXy, xy) : (state.driven[i - 1] ?? 0);
    state.trace.push(fix);
    state.xy.push(xy);
    state.driven.push(driven);
    if (standing) return [];
    if (previousXy) {
      const closed = this.closure(state, previousXy, xy, driven, fix.heading ?? headingOf(previousXy, xy));
      if (closed !== null) return this.identified(state, closed);
    }
    const key = cellKey(xy);
    const bucket = state.grid.get(key);
    if (bucket) bucket.push(i);
    else state.grid.set(key, [i]);
    return [];
  }

  /** The earliest earlier fix the move previous->current passes by, heading the same way, a loop ago. */
  private closure(
    state: { xy: Xy[]; driven: number[]; trace: TrackFix[]; grid: Map<string, number[]> },
    previous: Xy,
    current: Xy,
    driven: number,
    heading: number,
  ): number | null {
    const gx = Math.floor(current.x / GRID_M);
    const gy = Math.floor(current.y / GRID_M);
    let found: number | null = null;
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const j of state.grid.get(`${gx + dx}:${gy + dy}`) ?? []) {
          if (driven - state.driven[j]! < MIN_LOOP_M || j === 0) continue;
          if (distanceToSegment(state.xy[j]!, previous, current) > CLOSURE_M) continue;
          const then = state.trace[j]!.heading ?? headingOf(state.xy[j - 1]!, state.xy[j]!);
          if (headingDifference(then, heading) > CLOSURE_HEADING_DEG) continue;
          if (found === null || j < found) found = j;
        }
      }
    }
    return found;
  }

  private identified(state: { trace: TrackFix[]; xy: Xy[]; driven: number[] }, from: number): TimedLap[] {
    const loop = state.trace.slice(from);
    const at = state.trace[from]!;
    const line: TimingLine = { at: { lat: at.lat, lon: at.lon }, headingDeg: headingAt(state.xy, from, at), halfWidthM: GATE_HALF_WIDTH_M };
    const loopDriven = state.driven.map((d) => d - state.driven[from]!);
    const total = loopDriven[loopDriven.length - 1]!;
    const sectors: TimingLine[] = [];
    for (let k = 1; k < SECTORS; k++) {
      const index = loopDriven.findIndex((d, i) => i >= from && d >= (total * k) / SECTORS);
      const fix = state.trace[index]!;
      sectors.push({ at: { lat: fix.lat, lon: fix.lon }, headingDeg: headingAt(state.xy, index, fix), halfWidthM: GATE_HALF_WIDTH_M });
    }
    const track = this.identify({ fixes: loop, line, sectors });
    const timer = new LapTimer(track.line, track.sectors, this.rules);
    this.state = { status: 'timing', track, timer };
    return state.trace.flatMap((fix) => this.time(timer, fix));
  }

  private time(timer: LapTimer, fix: TrackFix): TimedLap[] {
    const lap = timer.push(fix);
    if (!lap) return [];
    this.laps.push(lap);
    return [lap];
  }
}

function jumped(a: TrackFix, b: TrackFix): boolean {
  const frame = new LocalFrame(a);
  return distance(frame.toXy(a), frame.toXy(b)) / ((b.t - a.t) / 1000) > MAX_SPEED_MPS;
}

function headingAt(xy: readonly Xy[], i: number, fix: TrackFix): number {
  if (fix.heading !== undefined) return fix.heading;
  const a = xy[Math.max(0, i - 1)]!;
  const b = xy[Math.min(xy.length - 1, i + 1)]!;
  return headingOf(a, b);
}

function cellKey(p: Xy): string {
  return `${Math.floor(p.x / GRID_M)}:${Math.floor(p.y / GRID_M)}`;
}

function distanceToSegment(p: Xy, a: Xy, b: Xy): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const u = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2));
  return Math.hypot(p.x - (a.x + u * dx), p.y - (a.y + u * dy));
}
