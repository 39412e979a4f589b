import { z } from 'zod';
import { call, noInput } from './common.js';

/** Identity: the device id and its key pair (the private key never crosses the API). */

export const identitySchema = z.object({
  deviceId: z.string().uuid(),
  /** Where the id came from: read from the hardware, or generated once on first boot. */
  idSource: z.enum(['hardware', 'generated']),
  keyAlgorithm: z.literal('ed25519'),
  /** Public key, base64. The private key never crosses the API. */
  publicKey: z.string(),
  createdAt: z.string(),
});
export type Identity = z.infer<typeof identitySchema>;

export const identityCalls = {
  'identity.get': call({
    summary: 'The device id and public key.',
    scope: 'status',
    input: noInput,
    output: identitySchema,
    errors: [],
  }),
} as const;

export const identityEvents = {} as const;
