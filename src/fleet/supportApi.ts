import { z } from 'zod';

/**
 * Support sessions on the fleet server: a support operator opens one for an accepted headset; the
 * headset learns it, with the relay to dial out to, in the answer to its next signed check-in; the
 * wearer still accepts on the headset (docs/support.md). Closing it, or its end, stops the offer.
 */
export const SUPPORT_API = {
  /** GET (viewer): a headset's sessions, newest first; POST (support): open one. */
  deviceSessions: (deviceId: string) => `/api/v1/devices/${encodeURIComponent(deviceId)}/support-sessions`,
  /** POST (support): close a session before its end. */
  close: (deviceId: string, sessionId: string) =>
    `/api/v1/devices/${encodeURIComponent(deviceId)}/support-sessions/${encodeURIComponent(sessionId)}/close`,
  /** GET (viewer): the sessions open now, across the fleet. */
  open: '/api/v1/support-sessions',
} as const;

/** `ssh-ed25519 AAAA…` (a comment after it is allowed). */
const sshPublicKey = z.string().regex(/^ssh-ed25519 [A-Za-z0-9+/]+={0,2}( .*)?$/, 'an ssh-ed25519 public key line');

/** The relay as the headset's support capability takes it (its SupportRelay port, main/services/support/ports.ts). */
export const supportRelaySchema = z
  .object({
    name: z.string().min(1).max(80),
    host: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.:_-]*$/, 'a host name or address (never starting with -)'),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'an account name'),
    hostKey: sshPublicKey,
    remotePort: z.number().int().min(0).max(65535).default(0),
    viewers: z
      .array(z.object({ name: z.string().min(1).max(80), key: sshPublicKey }))
      .max(64)
      .default([]),
  })
  .strict();
export type SupportRelayOffer = z.infer<typeof supportRelaySchema>;

export const SUPPORT_SESSION_MINUTES = { min: 5, max: 8 * 60, default: 60 } as const;

export const openSupportSessionRequestSchema = z
  .object({
    /** How long the offer stands (the wearer may accept any time before). */
    minutes: z.number().int().min(SUPPORT_SESSION_MINUTES.min).max(SUPPORT_SESSION_MINUTES.max).default(SUPPORT_SESSION_MINUTES.default),
    /** Why, for the audit log and the other operators. */
    reason: z.string().trim().min(1).max(200),
  })
  .strict();

export const SUPPORT_SESSION_STATES = ['open', 'closed', 'expired'] as const;
export const supportSessionSchema = z.object({
  sessionId: z.string().uuid(),
  deviceId: z.string().uuid(),
  state: z.enum(SUPPORT_SESSION_STATES),
  reason: z.string(),
  relayName: z.string(),
  openedBy: z.string(),
  openedAt: z.string(),
  expiresAt: z.string(),
  /** The first check-in answer that carried it: the headset knows. */
  deliveredAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  closedBy: z.string().nullable(),
});
export type SupportSession = z.infer<typeof supportSessionSchema>;
export const supportSessionListSchema = z.object({ sessions: z.array(supportSessionSchema) });

/** What the check-in answer carries while a session is open for the headset. */
export const supportOfferSchema = z.object({ sessionId: z.string().uuid(), expiresAt: z.string(), relay: supportRelaySchema });
export type SupportOffer = z.infer<typeof supportOfferSchema>;
