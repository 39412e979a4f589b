import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { FleetError } from '../../src/fleet/errors.js';
import {
  ROLLOUT_DEVICE_STATUSES,
  createRolloutRequestSchema,
  type Rollout,
  type RolloutAction,
  type RolloutDetail,
  type RolloutDeviceStatus,
  type RolloutState,
} from '../../src/fleet/updateApi.js';
import { appendAudit } from '../audit.js';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/Database.js';
import { bucketSql } from './phaseMembership.js';
import { currentReleases } from './repositoryFiles.js';

/** Rollouts as operators drive them: created from a published release, then paused, resumed, advanced, completed or aborted. */

export interface RolloutRow {
  id: string;
  model: string;
  version: string;
  group_tags: string[];
  phases: number[];
  phase: number;
  state: RolloutState;
  failure_threshold_percent: number;
  min_failures: number;
  paused_because: 'operator' | 'failures' | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
}

export const ROLLOUT_COLUMNS =
  'id, model, version, group_tags, phases, phase, state, failure_threshold_percent, min_failures, paused_because, created_at, created_by, updated_at';

export async function createRollout(
  db: Database,
  clock: Clock,
  operator: string,
  request: z.output<typeof createRolloutRequestSchema>,
): Promise<Rollout> {
  const { releases } = await currentReleases(db);
  if (!releases.some((r) => r.model === request.model && r.version === request.version))
    throw new FleetError('ROLLOUT_RELEASE_UNKNOWN', undefined, { model: request.model, version: request.version });
  const id = randomUUID();
  const now = clock.now();
  await db.transaction(async (tx) => {
    // Serialised across server processes: the check and the insert are one step (the unique index is the backstop).
    await tx.query('LOCK TABLE rollouts IN SHARE ROW EXCLUSIVE MODE');
    const running = (await tx.query<{ id: string }>("SELECT id FROM rollouts WHERE model = $1 AND state IN ('active', 'paused')", [request.model]))
      .rows[0];
    if (running) throw new FleetError('ROLLOUT_ALREADY_RUNNING', undefined, { rolloutId: running.id });
    await tx.query(
      `INSERT INTO rollouts (id, model, version, group_tags, phases, phase, state, failure_threshold_percent, min_failures, created_at, created_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, 0, 'active', $6, $7, $8, $9, $8)`,
      [
        id,
        request.model,
        request.version,
        JSON.stringify([...new Set(request.groupTags)].sort()),
        JSON.stringify(request.phases),
        request.failureThresholdPercent,
        request.minFailures,
        now,
        operator,
      ],
    );
    await appendAudit(tx, {
      at: now,
      actor: operator,
      action: 'rollout.created',
      subject: id,
      details: { model: request.model, version: request.version, groupTags: request.groupTags, phases: request.phases },
    });
  });
  return getRollout(db, id);
}

export async function listRollouts(db: Queryable): Promise<Rollout[]> {
  const rows = (await db.query<RolloutRow>(`SELECT ${ROLLOUT_COLUMNS} FROM rollouts ORDER BY created_at DESC LIMIT 200`)).rows;
  return Promise.all(rows.map((row) => withCounts(db, row)));
}

export async function getRollout(db: Queryable, id: string): Promise<Rollout> {
  return withCounts(db, await rolloutRow(db, id));
}

export async function getRolloutDetail(db: Queryable, id: string): Promise<RolloutDetail> {
  const rollout = await getRollout(db, id);
  const devices = (
    await db.query<{ device_id: string; status: RolloutDeviceStatus; updated_at: Date; detail: string | null }>(
      'SELECT device_id, status, updated_at, detail FROM rollout_devices WHERE rollout_id = $1 ORDER BY updated_at DESC LIMIT 1000',
      [id],
    )
  ).rows.map((r) => ({ deviceId: r.device_id, status: r.status, updatedAt: r.updated_at.toISOString(), detail: r.detail }));
  const timeline = (
    await db.query<{ hour: Date; status: RolloutDeviceStatus; count: number }>(
      `SELECT date_trunc('hour', at) AS hour, status, count(*)::int AS count FROM rollout_reports WHERE rollout_id = $1
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [id],
    )
  ).rows.map((r) => ({ hour: r.hour.toISOString(), status: r.status, count: r.count }));
  return { ...rollout, devices, timeline };
}

async function rolloutRow(db: Queryable, id: string, forUpdate = false): Promise<RolloutRow> {
  if (!z.string().uuid().safeParse(id).success) throw new FleetError('ROLLOUT_NOT_FOUND');
  const row = (await db.query<RolloutRow>(`SELECT ${ROLLOUT_COLUMNS} FROM rollouts WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id])).rows[0];
  if (!row) throw new FleetError('ROLLOUT_NOT_FOUND');
  return row;
}

async function withCounts(db: Queryable, row: RolloutRow): Promise<Rollout> {
  const counts = Object.fromEntries(ROLLOUT_DEVICE_STATUSES.map((s) => [s, 0])) as Record<RolloutDeviceStatus, number>;
  for (const r of (
    await db.query<{ status: RolloutDeviceStatus; count: number }>(
      'SELECT status, count(*)::int AS count FROM rollout_devices WHERE rollout_id = $1 GROUP BY status',
      [row.id],
    )
  ).rows)
    counts[r.status] = r.count;
  const percent = row.phases[row.phase] ?? 100;
  // The same bucket as phaseMembership.ts, so this counts exactly the headsets check-ins offer it to.
  const eligible = (
    await db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM devices
       WHERE status = 'accepted' AND inventory->>'model' = $2
         AND (jsonb_array_length($3::jsonb) = 0 OR EXISTS (SELECT 1 FROM jsonb_array_elements_text($3::jsonb) t WHERE inventory->'groupTags' ? t))
         AND ${bucketSql('$1::text', 'device_id')} < $4`,
      [row.id, row.model, JSON.stringify(row.group_tags), percent * 100],
    )
  ).rows[0]!.count;
  return {
    id: row.id,
    model: row.model,
    version: row.version,
    groupTags: row.group_tags,
    phases: row.phases,
    phase: row.phase,
    state: row.state,
    failureThresholdPercent: row.failure_threshold_percent,
    minFailures: row.min_failures,
    pausedBecause: row.paused_because,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    counts,
    eligible,
  };
}

/** From which states each action moves a rollout. */
const ACTIONS: Record<RolloutAction, { from: RolloutState[]; lastPhase?: boolean }> = {
  pause: { from: ['active'] },
  resume: { from: ['paused'] },
  advance: { from: ['active'], lastPhase: false },
  complete: { from: ['active'], lastPhase: true },
  abort: { from: ['active', 'paused'] },
};

/**
 * An operator's action on a rollout, in the phase they saw: checked and applied under the row's
 * lock, so of two operators (on two server processes) advancing at once exactly one advances and
 * the other is told where the rollout now is.
 */
export async function actOnRollout(
  db: Database,
  clock: Clock,
  operator: string,
  id: string,
  action: RolloutAction,
  seenPhase: number,
): Promise<Rollout> {
  const now = clock.now();
  await db.transaction(async (tx) => {
    const row = await rolloutRow(tx, id, true);
    const rule = ACTIONS[action];
    const last = row.phase === row.phases.length - 1;
    if (row.phase !== seenPhase || !rule.from.includes(row.state) || (rule.lastPhase !== undefined && rule.lastPhase !== last))
      throw new FleetError(
        'ROLLOUT_STATE_CONFLICT',
        `This rollout is ${row.state} in phase ${row.phase + 1} of ${row.phases.length}: it cannot ${action}.`,
        {
          state: row.state,
          phase: row.phase,
        },
      );
    const next: Pick<RolloutRow, 'state' | 'phase' | 'paused_because'> = {
      pause: { state: 'paused', phase: row.phase, paused_because: 'operator' },
      resume: { state: 'active', phase: row.phase, paused_because: null },
      advance: { state: 'active', phase: row.phase + 1, paused_because: null },
      complete: { state: 'completed', phase: row.phase, paused_because: null },
      abort: { state: 'aborted', phase: row.phase, paused_because: row.paused_because },
    }[action] as Pick<RolloutRow, 'state' | 'phase' | 'paused_because'>;
    await tx.query('UPDATE rollouts SET state = $2, phase = $3, paused_because = $4, updated_at = $5 WHERE id = $1', [
      id,
      next.state,
      next.phase,
      next.paused_because,
      now,
    ]);
    await appendAudit(tx, { at: now, actor: operator, action: `rollout.${action}`, subject: id, details: { phase: next.phase } });
  });
  return getRollout(db, id);
}
