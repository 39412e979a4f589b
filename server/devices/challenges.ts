import { randomBytes, randomUUID } from 'node:crypto';
import { FleetError } from '../../src/fleet/errors.js';
import type { Challenge } from '../../src/fleet/deviceApi.js';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/Database.js';

/** How long a registration challenge may be answered. */
export const CHALLENGE_TTL_MS = 2 * 60_000;
// Answered or expired challenges are kept a while (so a late replay is told CHALLENGE_USED), then purged.
export const KEEP_AFTER_EXPIRY_MS = 60 * 60_000;

/** Issues a single-use challenge for `deviceId`, kept in the database so any server process can check it. */
export async function issueChallenge(db: Queryable, clock: Clock, deviceId: string): Promise<Challenge> {
  const now = clock.now();
  const challenge = {
    challengeId: randomUUID(),
    nonce: randomBytes(32).toString('base64url'),
    expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS),
  };
  await db.query('DELETE FROM registration_challenges WHERE expires_at < $1', [new Date(now.getTime() - KEEP_AFTER_EXPIRY_MS)]);
  await db.query('INSERT INTO registration_challenges (challenge_id, device_id, nonce, expires_at) VALUES ($1, $2, $3, $4)', [
    challenge.challengeId,
    deviceId,
    challenge.nonce,
    challenge.expiresAt,
  ]);
  return { ...challenge, expiresAt: challenge.expiresAt.toISOString() };
}

interface ChallengeRow {
  device_id: string;
  nonce: string;
  expires_at: Date;
  used_at: Date | null;
}

/** The nonce of an open challenge issued for `deviceId`; refuses an unknown, foreign, used or expired one. */
export async function openChallengeNonce(db: Queryable, clock: Clock, challengeId: string, deviceId: string): Promise<string> {
  const row = (
    await db.query<ChallengeRow>('SELECT device_id, nonce, expires_at, used_at FROM registration_challenges WHERE challenge_id = $1', [challengeId])
  ).rows[0];
  // A challenge issued for another device id is as good as none: do not tell which ids asked.
  if (!row || row.device_id !== deviceId) throw new FleetError('CHALLENGE_UNKNOWN');
  if (row.used_at) throw new FleetError('CHALLENGE_USED');
  if (row.expires_at.getTime() <= clock.now().getTime()) throw new FleetError('CHALLENGE_EXPIRED');
  return row.nonce;
}

/** Marks the challenge answered; exactly one of several concurrent answers wins, across processes. */
export async function consumeChallenge(db: Queryable, clock: Clock, challengeId: string): Promise<void> {
  const now = clock.now();
  const result = await db.query('UPDATE registration_challenges SET used_at = $2 WHERE challenge_id = $1 AND used_at IS NULL AND expires_at > $2', [
    challengeId,
    now,
  ]);
  if (result.rowCount !== 1) throw new FleetError('CHALLENGE_USED');
}
