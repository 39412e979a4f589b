import { z } from 'zod';
import { supportOfferSchema } from './supportApi.js';
import { inventorySchema } from './inventory.js';
import { NONCE_PATTERN, PUBLIC_KEY_PATTERN, SIGNATURE_PATTERN } from './signing.js';
import { updateOfferSchema, updateReportSchema } from './updateApi.js';

/**
 * The fleet server's API for headsets (seed 002 §11.3). A headset proves its identity by signing a
 * challenge, then signs every request (`signing.ts`); it holds no bearer secret.
 */

export const DEVICE_API = {
  /** POST: a registration challenge for a device id (unsigned). */
  challenges: '/api/v1/device/challenges',
  /** POST: the signed answer to a challenge (unsigned request: the body carries the signature). */
  registrations: '/api/v1/device/registrations',
  /** POST, signed: the headset's inventory; answered with its standing. */
  checkIns: '/api/v1/device/check-ins',
} as const;

/** A device id: the headset's UUID (the hardware's own may not follow RFC 4122's variant bits), lower case. */
export const deviceIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'a UUID')
  .transform((id) => id.toLowerCase());

export const challengeRequestSchema = z.object({ deviceId: deviceIdSchema }).strict();
export type ChallengeRequest = z.infer<typeof challengeRequestSchema>;

export const challengeSchema = z.object({
  challengeId: z.string().uuid(),
  /** Random, base64url: signed back in the registration. */
  nonce: z.string().regex(NONCE_PATTERN),
  expiresAt: z.string(),
});
export type Challenge = z.infer<typeof challengeSchema>;

export const registrationRequestSchema = z
  .object({
    challengeId: z.string().uuid(),
    deviceId: deviceIdSchema,
    publicKey: z.string().regex(PUBLIC_KEY_PATTERN, 'base64 of a 32-byte Ed25519 public key'),
    /** Ed25519 signature of `registrationMessage(...)` by that key, base64. */
    signature: z.string().regex(SIGNATURE_PATTERN, 'base64 of a 64-byte Ed25519 signature'),
  })
  .strict();
export type RegistrationRequest = z.infer<typeof registrationRequestSchema>;

export const registrationStatusSchema = z.enum(['pending', 'accepted']);

export const registrationResultSchema = z.object({
  deviceId: deviceIdSchema,
  /** accepted: signed requests are served; pending: an operator decides first. */
  status: registrationStatusSchema,
});
export type RegistrationResult = z.infer<typeof registrationResultSchema>;

export const checkInRequestSchema = z
  .object({
    inventory: inventorySchema,
    /** What the headset did with the updates offered since its last check-in (left out by headsets without updates). */
    updateReports: z.array(updateReportSchema).max(8).optional(),
  })
  .strict();
export type CheckInRequest = z.infer<typeof checkInRequestSchema>;

export const checkInResultSchema = z.object({
  serverTime: z.string(),
  /** When the server would like the next check-in. */
  nextCheckInSeconds: z.number().int().positive(),
  /** The update a rollout offers this headset now; absent or null: none (install nothing the fleet did not offer). */
  update: updateOfferSchema.nullable().optional(),
  /** The support session an operator opened for this headset, with its relay; absent or null: none. */
  support: supportOfferSchema.nullable().optional(),
});
export type CheckInResult = z.infer<typeof checkInResultSchema>;
