import { createHash } from 'node:crypto';

/**
 * Which phase of a rollout reaches a headset, the same in every server process and at every
 * check-in: a bucket from 0 to 9999 from SHA-256 of the rollout id and the device id (the first four
 * bytes, big-endian, modulo 10000). A phase of P % reaches the buckets below P × 100, so a headset
 * in an early phase stays in every later one. The rollout id is in the hash so that the same
 * headsets are not the first to get every update. `BUCKET_SQL` computes the same bucket in SQL.
 */
export const BUCKETS = 10_000;

export function phaseBucket(rolloutId: string, deviceId: string): number {
  return createHash('sha256').update(`${rolloutId}:${deviceId}`, 'utf8').digest().readUInt32BE(0) % BUCKETS;
}

export function inPhase(rolloutId: string, deviceId: string, percent: number): boolean {
  return phaseBucket(rolloutId, deviceId) < percent * (BUCKETS / 100);
}

/** The bucket in SQL, for `$rollout` (text) and a `device_id` column (uuid): bit(32) to bigint keeps it unsigned. */
export const bucketSql = (rolloutParam: string, deviceColumn: string) =>
  `(('x' || substr(encode(sha256(convert_to(${rolloutParam} || ':' || ${deviceColumn}::text, 'UTF8')), 'hex'), 1, 8))::bit(32)::bigint % ${BUCKETS})`;
