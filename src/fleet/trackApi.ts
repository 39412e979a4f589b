import { z } from 'zod';
import { SIGNATURE_POINTS } from '../tracks/trackSignature.js';

/**
 * The fleet's track registry (docs/tracks.md, "The fleet registry"): canonical tracks with ids and
 * revisions. Headsets send a track they learned (its signature and coarse cells, never a position
 * they drove) over their signed channel and sync the registry from a revision cursor; operators see
 * the tracks and resolve what the rules leave to them.
 */
export const TRACK_API = {
  /** POST, signed: a headset's new track; answered with what the registry made of it. */
  proposals: '/api/v1/device/tracks/proposals',
  /** POST, signed: the canonical tracks changed since a revision, a page at a time. */
  sync: '/api/v1/device/tracks/sync',
  /** GET (viewer): the canonical tracks. */
  tracks: '/api/v1/tracks',
  /** PUT (support): a track's canonical name. */
  trackName: (id: string) => `/api/v1/tracks/${encodeURIComponent(id)}/name`,
  /** GET (viewer): the conflicts left to an operator (open first). */
  conflicts: '/api/v1/tracks/conflicts',
  /** POST (support): resolves one. */
  resolve: (id: string) => `/api/v1/tracks/conflicts/${encodeURIComponent(id)}/resolve`,
} as const;

const cellSchema = z.string().regex(/^-?\d{1,5}:-?\d{1,5}$/);
const coordinate = z.number().finite();

/** A signature as it leaves the headset: the centreline in metres around the track's own centre, its cells and shape. */
export const trackSignatureSchema = z
  .object({
    version: z.literal(1),
    origin: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).strict(),
    points: z.array(coordinate.min(-50_000).max(50_000)).length(2 * SIGNATURE_POINTS),
    lengthM: z.number().min(200).max(50_000),
    direction: z.enum(['clockwise', 'anticlockwise']),
    cells: z.array(cellSchema).min(1).max(400),
    shape: z.array(z.number().finite()).max(32),
  })
  .strict();

export const trackNameSchema = z.string().trim().min(1).max(80);

export const trackProposalSchema = z
  .object({
    /** The headset's own id for the track (so the answer can be tied to it). */
    localId: z.string().min(1).max(64),
    name: trackNameSchema,
    signature: trackSignatureSchema,
  })
  .strict();
export type TrackProposalRequest = z.infer<typeof trackProposalSchema>;

export const TRACK_STATUSES = ['active', 'retired'] as const;

/** A canonical track as headsets sync it. */
export const registryTrackSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(TRACK_STATUSES),
  /** Its layout number at its venue's name: a revised layout is the next number, the old one retired. */
  layout: z.number().int(),
  /** The track that replaced this retired layout. */
  supersededBy: z.string().nullable(),
  /** The registry revision of its last change (the sync cursor moves past it). */
  revision: z.number().int(),
  signature: trackSignatureSchema,
});
export type RegistryTrack = z.infer<typeof registryTrackSchema>;

export const PROPOSAL_OUTCOMES = ['joined', 'created', 'revised', 'pending'] as const;
export const trackProposalResultSchema = z.object({
  outcome: z.enum(PROPOSAL_OUTCOMES),
  /** The canonical track the headset's track now is (none while an operator or a second headset decides). */
  track: registryTrackSchema.nullable(),
  /** The conflict it waits on, when pending. */
  conflictId: z.string().nullable(),
});
export type TrackProposalResult = z.infer<typeof trackProposalResultSchema>;

export const TRACK_SYNC_PAGE = 10;
export const trackSyncRequestSchema = z.object({ since: z.number().int().min(0) }).strict();
export const trackSyncResultSchema = z.object({
  tracks: z.array(registryTrackSchema),
  /** Pass as `since` next time. */
  cursor: z.number().int(),
  /** More changes wait past the cursor. */
  more: z.boolean(),
});
export type TrackSyncResult = z.infer<typeof trackSyncResultSchema>;

/** What operators see of a track: no centreline, a map-free outline in metres around its centre. */
export const trackSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(TRACK_STATUSES),
  layout: z.number().int(),
  supersededBy: z.string().nullable(),
  revision: z.number().int(),
  lengthM: z.number(),
  direction: z.enum(['clockwise', 'anticlockwise']),
  aliases: z.array(z.string()),
  headsets: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** 64 points [x, y] in whole metres around its centre. */
  outline: z.array(z.tuple([z.number(), z.number()])),
});
export type TrackSummary = z.infer<typeof trackSummarySchema>;
export const trackListSchema = z.object({ tracks: z.array(trackSummarySchema) });

/**
 * What the rules leave to an operator:
 * - revised-layout: near a track of the venue but not the same; a second headset agreeing revises it;
 * - name-taken: a new layout whose name and length-qualified name are both taken at its venue.
 */
export const CONFLICT_KINDS = ['revised-layout', 'name-taken'] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];
export const CONFLICT_STATES = ['open', 'resolved'] as const;

/**
 * How a conflict ends: revise (the proposal becomes the track's next layout; revised-layout only),
 * new (a new canonical track, under `name`), join (the proposal is the track after all; revised-layout
 * only), dismiss (nothing changes; the headset keeps its own track). `auto-revised` is the rules' own.
 */
export const RESOLUTION_ACTIONS = ['revise', 'new', 'join', 'dismiss'] as const;
export type ResolutionAction = (typeof RESOLUTION_ACTIONS)[number];

export const trackConflictSchema = z.object({
  id: z.string(),
  kind: z.enum(CONFLICT_KINDS),
  state: z.enum(CONFLICT_STATES),
  /** The track it is about (the near one, or the one holding the name). */
  trackId: z.string(),
  trackName: z.string(),
  proposedName: z.string(),
  /** Discrete Fréchet distance to that track (revised-layout). */
  distanceM: z.number().nullable(),
  lengthM: z.number(),
  deviceId: z.string(),
  createdAt: z.string(),
  resolution: z.enum([...RESOLUTION_ACTIONS, 'auto-revised']).nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  /** The canonical track the resolution made or chose. */
  resultTrackId: z.string().nullable(),
  outline: z.array(z.tuple([z.number(), z.number()])),
  trackOutline: z.array(z.tuple([z.number(), z.number()])),
});
export type TrackConflict = z.infer<typeof trackConflictSchema>;
export const trackConflictListSchema = z.object({ conflicts: z.array(trackConflictSchema) });

export const resolveConflictRequestSchema = z.object({ action: z.enum(RESOLUTION_ACTIONS), name: trackNameSchema.optional() }).strict();
export type ResolveConflictRequest = z.infer<typeof resolveConflictRequestSchema>;
export const renameTrackRequestSchema = z.object({ name: trackNameSchema }).strict();
