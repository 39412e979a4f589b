import type { TrackFix } from '../../../src/tracks/geo.js';

/** How much the receiver remembers when it starts searching, which decides how long a lock takes. */
export type GpsStart = 'cold' | 'warm' | 'hot';

/** A position. It stays inside the GPS service: never logged; telemetry only gets it coarsened. */
export interface GpsPosition {
  lat: number;
  lon: number;
}

/** What the receiver reports at one moment. */
export interface GpsReading {
  /** Satellites used in the solution (tracked, with ephemeris). */
  satellites: number;
  /** Satellites whose signal the antenna receives at all; 0 is a blind receiver (indoors, shielded). */
  visible: number;
  /** The position when the receiver has a 2D/3D fix; null while searching. */
  fix: GpsPosition | null;
  /**
   * Every fix the receiver computed since the previous read, oldest first, with the receiver's time,
   * speed and course (a 10 Hz receiver gives about ten a second): what a lap timer needs. Absent
   * where the receiver reports only its latest position.
   */
  fixes?: TrackFix[];
}

/** A GPS receiver: powered on, then read about once a second. */
export interface GpsReceiver {
  powerOn(): Promise<void>;
  read(): Promise<GpsReading>;
  powerOff(): Promise<void>;
  /** The start the receiver makes now, where it can tell (its backup memory); else the service estimates it. */
  currentStart?(): Promise<GpsStart>;
}

/** Ephemeris is good for about 4 hours (a hot start needs it); the almanac for weeks (warm). */
export const HOT_START_WITHIN_MS = 2 * 60 * 60 * 1000;
export const WARM_START_WITHIN_MS = 7 * 24 * 60 * 60 * 1000;

/** The kind of start a receiver makes, from how long ago it last had a fix. */
export function startKind(lastFixAt: number | null, now: number): GpsStart {
  if (lastFixAt === null || lastFixAt > now) return 'cold'; // a clock set back: trust nothing
  const age = now - lastFixAt;
  return age <= HOT_START_WITHIN_MS ? 'hot' : age <= WARM_START_WITHIN_MS ? 'warm' : 'cold';
}
