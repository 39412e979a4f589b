import { z } from 'zod';
import { call, event, noInput } from './common.js';

/**
 * Tracks and sessions (issue 16, docs/tracks.md): laps timed from the GPS on circuits the headset
 * learns by their geometry. Nothing here carries a position: a track's outline is in metres around
 * its own centre (map-free), so location never leaves the headset finer than "this track". The calls
 * are `user` scope: remote support (status scope) does not see where the wearer drove.
 */

const id = z.string().regex(/^[a-z0-9-]{1,64}$/);
const iso = z.string();

export const trackSchema = z.object({
  id,
  name: z.string(),
  lengthM: z.number(),
  direction: z.enum(['clockwise', 'anticlockwise']),
  /** The outline: 64 points, whole metres east and north of the track's own centre, in driving order from the line. */
  outline: z.array(z.tuple([z.number(), z.number()])),
  learnedAt: iso,
  sessions: z.number().int(),
  bestLapMs: z.number().nullable(),
});
export type Track = z.infer<typeof trackSchema>;

export const lapSchema = z.object({
  number: z.number().int(),
  startedAt: iso,
  timeMs: z.number(),
  /** Each sector's time, or null when a sector line was missed. */
  sectorsMs: z.array(z.number()).nullable(),
  distanceM: z.number(),
  /** The car stood in the lap (in the pits). */
  pit: z.boolean(),
  /** Counts for the best lap (no pit stop, no long GPS gap). */
  valid: z.boolean(),
});
export type Lap = z.infer<typeof lapSchema>;

export const sessionSummarySchema = z.object({
  id,
  trackId: id.nullable(),
  trackName: z.string().nullable(),
  startedAt: iso,
  endedAt: iso.nullable(),
  /** Being recorded now. */
  live: z.boolean(),
  laps: z.number().int(),
  bestLapMs: z.number().nullable(),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

export const sessionSchema = sessionSummarySchema.extend({
  lapList: z.array(lapSchema),
  bestLapNumber: z.number().int().nullable(),
  /** The best time of each sector over the valid laps, and their sum (the best lap possible). */
  bestSectorsMs: z.array(z.number()).nullable(),
  theoreticalBestMs: z.number().nullable(),
});
export type Session = z.infer<typeof sessionSchema>;

export const tracksStatusSchema = z.object({
  /** `idle`: not on a circuit; `learning`: driving, the first lap not closed yet; `timing`: laps on a known track. */
  recording: z.enum(['idle', 'learning', 'timing']),
  session: sessionSummarySchema.nullable(),
  lastLapMs: z.number().nullable(),
  tracks: z.number().int(),
  sessions: z.number().int(),
});
export type TracksStatus = z.infer<typeof tracksStatusSchema>;

export const tracksCalls = {
  'tracks.status': call({
    summary: 'Whether a session is being recorded, on which track, its laps so far; how many tracks and sessions are kept.',
    scope: 'user',
    input: noInput,
    output: tracksStatusSchema,
    errors: [],
  }),
  'tracks.list': call({
    summary: 'The tracks the headset learned, with their map-free outlines and best laps.',
    scope: 'user',
    input: noInput,
    output: z.array(trackSchema),
    errors: [],
  }),
  'tracks.sessions': call({
    summary: 'The sessions kept on the headset, newest first (of one track when given).',
    scope: 'user',
    input: z.object({ trackId: id.optional() }).strict(),
    output: z.array(sessionSummarySchema),
    errors: ['TRACK_NOT_FOUND'],
  }),
  'tracks.session': call({
    summary: "One session's laps, sectors, best lap and best sectors.",
    scope: 'user',
    input: z.object({ id }).strict(),
    output: sessionSchema,
    errors: ['TRACK_SESSION_NOT_FOUND'],
  }),
  'tracks.rename': call({
    summary: 'Give a track a name.',
    scope: 'user',
    input: z.object({ id, name: z.string().trim().min(1).max(60) }).strict(),
    output: trackSchema,
    errors: ['TRACK_NOT_FOUND', 'TRACK_NAME_TAKEN'],
  }),
  'tracks.deleteSession': call({
    summary: 'Delete a session that has ended (its laps and trace).',
    scope: 'user',
    input: z.object({ id }).strict(),
    output: z.object({ deleted: z.literal(true) }),
    errors: ['TRACK_SESSION_NOT_FOUND', 'TRACK_SESSION_LIVE'],
  }),
} as const;

export const tracksEvents = {
  'tracks.changed': event({
    summary: 'A session started, a lap was completed, a track was learned or renamed, a session ended.',
    scope: 'user',
    payload: tracksStatusSchema,
  }),
} as const;
