import { z } from 'zod';
import { TELEMETRY_CATEGORIES, type TelemetryCategoryId } from '../../telemetry/categories.js';
import { call, event, noInput } from './common.js';

/** Telemetry: the wearer's consent per category, the outbox of what waits to be sent, and usage counts. */

export const telemetryCategorySchema = z.enum(TELEMETRY_CATEGORIES);

/** One consent category as the Privacy screen shows it. */
export const privacyCategorySchema = z.object({
  id: telemetryCategorySchema,
  title: z.string(),
  description: z.string(),
  /** Always on (the policy marks it needed for safe updates); cannot be turned off. */
  essential: z.boolean(),
  /** Collecting now (a grant made under an older policy does not count until decided again). */
  granted: z.boolean(),
  /** The registry's metric names in this category. */
  examples: z.array(z.string()),
});

export const privacyStatusSchema = z.object({
  /** The privacy policy the headset runs (docs/privacy.md). */
  policyVersion: z.number().int().positive(),
  decidedAt: z.string().nullable(),
  /** Never decided, or decided under an older policy: ask the wearer. */
  needsDecision: z.boolean(),
  categories: z.array(privacyCategorySchema),
});
export type PrivacyStatus = z.infer<typeof privacyStatusSchema>;

const grantsSchema = z
  .object(
    Object.fromEntries(TELEMETRY_CATEGORIES.map((c) => [c, z.boolean().optional()])) as Record<TelemetryCategoryId, z.ZodOptional<z.ZodBoolean>>,
  )
  .strict();

export const privacyDecisionSchema = z
  .object({
    /** The policy version the wearer was shown. */
    policyVersion: z.number().int().nonnegative(),
    granted: grantsSchema,
  })
  .strict();

/** The telemetry outbox and its forwarding (main/services/telemetry/Outbox.ts). */
const outboxPrioritySchema = z.enum(['critical', 'normal', 'bulk', 'debug']);
export const telemetryOutboxStatusSchema = z.object({
  /** Records waiting, per priority. */
  queued: z.record(outboxPrioritySchema, z.number().int().nonnegative()),
  queuedBytes: z.number().int().nonnegative(),
  limitBytes: z.number().int().nonnegative(),
  /** Dropped to stay within the bound, or refused for good by the receiver. */
  dropped: z.number().int().nonnegative(),
  corruptSkipped: z.number().int().nonnegative(),
  delivered: z.number().int().nonnegative(),
  lastDeliveryAt: z.string().nullable(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
  waitingFor: z.enum(['network', 'unmetered-network', 'retry']).nullable(),
  /** The OTLP/HTTP endpoint records go to; null when none is configured (they stay queued). */
  endpoint: z.string().nullable(),
});
export type TelemetryOutboxStatus = z.infer<typeof telemetryOutboxStatusSchema>;

export const telemetryCalls = {
  'privacy.get': call({
    summary: 'The telemetry consent: policy version, whether a decision is needed, and each category with its state.',
    scope: 'status',
    input: noInput,
    output: privacyStatusSchema,
    errors: [],
  }),
  'privacy.set': call({
    summary: 'Turn telemetry categories on or off; turning one off purges what is queued and sends a deletion request.',
    scope: 'user',
    input: privacyDecisionSchema,
    output: privacyStatusSchema,
    errors: ['PRIVACY_ESSENTIAL_CATEGORY', 'PRIVACY_POLICY_OUTDATED'],
  }),
  'telemetry.outbox': call({
    summary:
      'What waits to be forwarded (per priority, bytes against the bound), what was delivered, ' + 'dropped or found corrupt, and why sending waits.',
    scope: 'status',
    input: noInput,
    output: telemetryOutboxStatusSchema,
    errors: [],
  }),
  'usage.record': call({
    summary: 'Count a screen view or a feature use (the usage category; recorded only when granted).',
    scope: 'user',
    input: z
      .object({
        event: z.enum(['ui.screen_view', 'ui.feature_use']),
        name: z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/),
      })
      .strict(),
    output: z.object({ recorded: z.boolean() }),
    errors: [],
  }),
} as const;

export const telemetryEvents = {
  'privacy.changed': event({ summary: 'The telemetry consent after a change.', scope: 'status', payload: privacyStatusSchema }),
} as const;
