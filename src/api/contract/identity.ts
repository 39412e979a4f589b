import { z } from 'zod';
import { call, noInput } from './common.js';

/** Identity: the device id and its key pair (the private key never crosses the API). */

/** What the headset keeps of its identity (made once, on the partition a reset never touches). */
export const identityRecordSchema = z.object({
  deviceId: z.string().uuid(),
  /** Where the id came from: read from the hardware, or generated once on first boot. */
  idSource: z.enum(['hardware', 'generated']),
  keyAlgorithm: z.literal('ed25519'),
  /** Public key, base64. The private key never crosses the API. */
  publicKey: z.string(),
  createdAt: z.string(),
});
export type IdentityRecord = z.infer<typeof identityRecordSchema>;

export const identitySchema = identityRecordSchema.extend({
  /** Eight characters ("K7M2-9QPX") the wearer reads out to support, derived from the device id (src/identity/supportCode.ts). */
  supportCode: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/),
});
export type Identity = z.infer<typeof identitySchema>;

export const identityCalls = {
  'identity.get': call({
    summary: 'The device id, its support code and public key.',
    scope: 'status',
    input: noInput,
    output: identitySchema,
    errors: [],
  }),
} as const;

export const identityEvents = {} as const;
