import semver from 'semver';
import type { Inventory } from '../../src/fleet/inventory.js';
import { FAILED_STATUSES, type UpdateOffer, type UpdateReport } from '../../src/fleet/updateApi.js';
import { appendAudit } from '../audit.js';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/Database.js';
import { inPhase } from './phaseMembership.js';
import { ROLLOUT_COLUMNS, type RolloutRow } from './rollouts.js';

/**
 * A check-in's part in rollouts: the headset's reports recorded (each under its rollout's row lock,
 * so the failure count that pauses a rollout is right even with reports arriving at several server
 * processes at once, and the rollout is paused once), then the update offered to it, if any.
 */
export async function updatesAtCheckIn(
  db: Database,
  clock: Clock,
  deviceId: string,
  inventory: Inventory,
  reports: readonly UpdateReport[],
): Promise<UpdateOffer | null> {
  for (const report of reports) await recordReport(db, clock, deviceId, report);
  return offerFor(db, clock, deviceId, inventory);
}

/** The version of the system the headset runs now (its active slot's). */
export function installedVersion(inventory: Inventory): string | null {
  return inventory.slots.list.find((slot) => slot.name === inventory.slots.active)?.version ?? inventory.components.system ?? null;
}

async function recordReport(db: Database, clock: Clock, deviceId: string, report: UpdateReport): Promise<void> {
  const now = clock.now();
  await db.transaction(async (tx) => {
    const rollout = (await tx.query<RolloutRow>(`SELECT ${ROLLOUT_COLUMNS} FROM rollouts WHERE id = $1 FOR UPDATE`, [report.rolloutId])).rows[0];
    // A report on a rollout this headset was never offered (or of another version) changes nothing.
    if (!rollout || rollout.version !== report.version) return;
    const updated = await tx.query(
      `UPDATE rollout_devices SET status = $3, detail = $4, updated_at = $5
       WHERE rollout_id = $1 AND device_id = $2 AND (status <> $3 OR detail IS DISTINCT FROM $4)`,
      [report.rolloutId, deviceId, report.status, report.detail ?? null, now],
    );
    if (updated.rowCount === 0) return;
    await tx.query('INSERT INTO rollout_reports (rollout_id, device_id, status, at) VALUES ($1, $2, $3, $4)', [
      report.rolloutId,
      deviceId,
      report.status,
      now,
    ]);
    if (rollout.state === 'active' && FAILED_STATUSES.includes(report.status)) await pauseIfTooManyFailures(tx, rollout, now);
  });
}

async function pauseIfTooManyFailures(tx: Queryable, rollout: RolloutRow, now: Date): Promise<void> {
  const { failed, offered } = (
    await tx.query<{ failed: number; offered: number }>(
      `SELECT count(*) FILTER (WHERE status IN ('rolled_back', 'failed'))::int AS failed, count(*)::int AS offered
       FROM rollout_devices WHERE rollout_id = $1`,
      [rollout.id],
    )
  ).rows[0]!;
  if (failed < rollout.min_failures || failed * 100 <= rollout.failure_threshold_percent * offered) return;
  await tx.query("UPDATE rollouts SET state = 'paused', paused_because = 'failures', updated_at = $2 WHERE id = $1", [rollout.id, now]);
  await appendAudit(tx, {
    at: now,
    actor: 'server',
    action: 'rollout.paused-by-failures',
    subject: rollout.id,
    details: { failed, offered, thresholdPercent: rollout.failure_threshold_percent },
  });
}

/**
 * The rollout of this headset's model whose groups and current phase reach it, if its version is
 * newer than the one installed. A paused rollout offers nothing new, but a headset already
 * downloading or installing it keeps its offer to finish and report; a headset that failed or rolled
 * back is not offered the same rollout again.
 */
async function offerFor(db: Queryable, clock: Clock, deviceId: string, inventory: Inventory): Promise<UpdateOffer | null> {
  const rollout = (
    await db.query<RolloutRow>(`SELECT ${ROLLOUT_COLUMNS} FROM rollouts WHERE model = $1 AND state IN ('active', 'paused')`, [inventory.model])
  ).rows[0];
  if (!rollout) return null;
  if (rollout.group_tags.length > 0 && !rollout.group_tags.some((tag) => inventory.groupTags.includes(tag))) return null;
  const installed = installedVersion(inventory);
  if (installed !== null && semver.valid(installed) && semver.compare(installed, rollout.version) >= 0) return null;
  const offer = { rolloutId: rollout.id, version: rollout.version };
  const seen = (
    await db.query<{ status: string }>('SELECT status FROM rollout_devices WHERE rollout_id = $1 AND device_id = $2', [rollout.id, deviceId])
  ).rows[0]?.status;
  if (seen === 'downloading' || seen === 'installed') return offer;
  if (rollout.state !== 'active' || !inPhase(rollout.id, deviceId, rollout.phases[rollout.phase]!)) return null;
  if (seen === 'offered') return offer;
  if (seen !== undefined) return null;
  const now = clock.now();
  const inserted = await db.query(
    "INSERT INTO rollout_devices (rollout_id, device_id, status, updated_at) VALUES ($1, $2, 'offered', $3) ON CONFLICT DO NOTHING",
    [rollout.id, deviceId, now],
  );
  if (inserted.rowCount === 1)
    await db.query("INSERT INTO rollout_reports (rollout_id, device_id, status, at) VALUES ($1, $2, 'offered', $3)", [rollout.id, deviceId, now]);
  return offer;
}
