import { z } from 'zod';
import { groupTagSchema } from './inventory.js';

/**
 * Updates on the fleet server: the TUF repository it hosts for headsets (uploaded by
 * `headsetctl repo push`, served under `/updates/`), and rollouts of a published version to a
 * fleet in phases, paused by the server itself when headsets report too many failures.
 */
export const UPDATE_API = {
  /** GET (viewer): the files the server holds; PUT /api/v1/updates/files/NAME (admin): one file's bytes. */
  files: '/api/v1/updates/files',
  file: (name: string) => `/api/v1/updates/files/${name}`,
  /** POST (admin): makes a timestamp the served one, once everything it reaches is uploaded. */
  publish: '/api/v1/updates/publish',
  /** GET (viewer): the bundles of the served repository, per model and version. */
  releases: '/api/v1/updates/releases',
  /** GET (viewer) the rollouts, POST (admin) a new one. */
  rollouts: '/api/v1/rollouts',
  rollout: (id: string) => `/api/v1/rollouts/${encodeURIComponent(id)}`,
  /** POST (admin): pause, resume, advance, complete or abort. */
  rolloutAction: (id: string, action: RolloutAction) => `/api/v1/rollouts/${encodeURIComponent(id)}/${action}`,
} as const;

/** Where headsets fetch the repository: their --update-url is the server's address plus this. */
export const UPDATE_REPOSITORY_PATH = '/updates';

/**
 * What a repository file may be called: versioned metadata (consistent snapshots), the timestamp,
 * and targets named by their SHA-256 as `headsetctl repo` writes them.
 */
export const VERSIONED_METADATA_NAME = /^([1-9][0-9]{0,9})\.(root|targets|snapshot)\.json$/;
export const TARGET_FILE_NAME = /^targets\/([0-9a-f]{64})\.([A-Za-z0-9][A-Za-z0-9._+-]{0,199})$/;

export const repositoryFileSchema = z.object({ name: z.string(), sha256: z.string(), length: z.number().int() });
export const repositoryFilesSchema = z.object({ files: z.array(repositoryFileSchema), publishedTimestampVersion: z.number().int().nullable() });
export type RepositoryFiles = z.infer<typeof repositoryFilesSchema>;

/** A TUF timestamp.json as signed: the server checks what it reaches, headsets check the signatures. */
export const publishRequestSchema = z.object({
  signatures: z.array(z.object({ keyid: z.string(), sig: z.string() })).min(1),
  signed: z
    .object({
      _type: z.literal('timestamp'),
      version: z.number().int().positive(),
      expires: z.string(),
      meta: z.object({ 'snapshot.json': z.object({ version: z.number().int().positive() }).passthrough() }),
    })
    .passthrough(),
});
export type PublishRequest = z.infer<typeof publishRequestSchema>;

export const releaseSchema = z.object({
  model: z.string(),
  version: z.string(),
  /** Bytes of the full bundle. */
  length: z.number().int(),
  /** Versions a delta of this release applies to. */
  deltaFrom: z.array(z.string()),
  publishedAt: z.string(),
});
export type Release = z.infer<typeof releaseSchema>;
export const publishResultSchema = z.object({ timestampVersion: z.number().int(), releases: z.array(releaseSchema) });
export const releaseListSchema = z.object({ timestampVersion: z.number().int().nullable(), releases: z.array(releaseSchema) });

/**
 * What a headset reports of a rollout's update, in order; `rolled_back` (the new system did not
 * confirm itself, the old slot came back) and `failed` (download or install refused) are failures.
 */
export const ROLLOUT_DEVICE_STATUSES = ['offered', 'downloading', 'installed', 'committed', 'rolled_back', 'failed'] as const;
export const rolloutDeviceStatusSchema = z.enum(ROLLOUT_DEVICE_STATUSES);
export type RolloutDeviceStatus = z.infer<typeof rolloutDeviceStatusSchema>;
export const FAILED_STATUSES: readonly RolloutDeviceStatus[] = ['rolled_back', 'failed'];

/**
 * A rollout's life:
 *
 *   active --pause / too many failures--> paused --resume--> active
 *   active --advance--> active (next phase)      active, paused --abort--> aborted
 *   active in its last phase --complete--> completed
 */
export const ROLLOUT_STATES = ['active', 'paused', 'aborted', 'completed'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];
export const ROLLOUT_ACTIONS = ['pause', 'resume', 'advance', 'complete', 'abort'] as const;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

/** Phases as the share of the targeted headsets offered the update, growing to 100. */
export const phasesSchema = z
  .array(z.number().int().min(1).max(100))
  .min(1)
  .max(10)
  .refine((p) => p.every((v, i) => i === 0 || v > p[i - 1]!), 'each phase must reach more headsets than the one before')
  .refine((p) => p[p.length - 1] === 100, 'the last phase reaches 100 %');

export const createRolloutRequestSchema = z
  .object({
    model: z.string().min(1).max(64),
    version: z.string().min(1).max(64),
    /** Headsets with any of these group tags; none: every accepted headset of the model. */
    groupTags: z.array(groupTagSchema).max(16).default([]),
    phases: phasesSchema,
    /** Paused automatically when more than this share of the headsets offered it report a failure. */
    failureThresholdPercent: z.number().min(0).max(100),
    /** ...and at least this many failed (one failure in a phase of three is not yet a pattern). */
    minFailures: z.number().int().min(1).max(10_000).default(1),
  })
  .strict();
export type CreateRolloutRequest = z.input<typeof createRolloutRequestSchema>;

/** An action names the phase the operator saw: of two operators advancing at once, one advances. */
export const rolloutActionRequestSchema = z.object({ phase: z.number().int().min(0).max(9) }).strict();

export const rolloutSchema = z.object({
  id: z.string().uuid(),
  model: z.string(),
  version: z.string(),
  groupTags: z.array(z.string()),
  phases: z.array(z.number()),
  /** Index into `phases`. */
  phase: z.number().int(),
  state: z.enum(ROLLOUT_STATES),
  failureThresholdPercent: z.number(),
  minFailures: z.number().int(),
  /** Why it is paused: `operator` or `failures` (the threshold was passed). */
  pausedBecause: z.enum(['operator', 'failures']).nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  /** Headsets per status (those offered it and what they reported since). */
  counts: z.record(rolloutDeviceStatusSchema, z.number().int()),
  /** Headsets the current phase reaches now (of the model and groups, accepted). */
  eligible: z.number().int(),
});
export type Rollout = z.infer<typeof rolloutSchema>;
export const rolloutListSchema = z.object({ rollouts: z.array(rolloutSchema) });

export const rolloutDetailSchema = rolloutSchema.extend({
  devices: z.array(z.object({ deviceId: z.string(), status: rolloutDeviceStatusSchema, updatedAt: z.string(), detail: z.string().nullable() })),
  /** Reports over time, for the progress chart: per hour, how many headsets reached each status. */
  timeline: z.array(z.object({ hour: z.string(), status: rolloutDeviceStatusSchema, count: z.number().int() })),
});
export type RolloutDetail = z.infer<typeof rolloutDetailSchema>;

/** A headset's report on one rollout's update, carried by its signed check-in. */
export const updateReportSchema = z
  .object({
    rolloutId: z.string().uuid(),
    version: z.string().min(1).max(64),
    status: rolloutDeviceStatusSchema.exclude(['offered']),
    /** Why it failed, in a few words (an error code). */
    detail: z.string().max(200).optional(),
  })
  .strict();
export type UpdateReport = z.infer<typeof updateReportSchema>;

/** The update a check-in's answer offers: install this version from the repository, and report on this rollout. */
export const updateOfferSchema = z.object({ rolloutId: z.string().uuid(), version: z.string() });
export type UpdateOffer = z.infer<typeof updateOfferSchema>;
