import { randomUUID } from 'node:crypto';
import { FleetError } from '../../src/fleet/errors.js';
import {
  TRACK_SYNC_PAGE,
  type RegistryTrack,
  type ResolveConflictRequest,
  type TrackConflict,
  type TrackProposalRequest,
  type TrackProposalResult,
  type TrackSummary,
  type TrackSyncResult,
} from '../../src/fleet/trackApi.js';
import { LocalFrame, signedArea2, type Xy } from '../../src/tracks/geo.js';
import { decideProposal, nameKey, venueNameClash, type RegistryTrackRef, type RevisionCandidateRef } from '../../src/tracks/registryRules.js';
import { cellOf, type TrackSignature } from '../../src/tracks/trackSignature.js';
import { appendAudit } from '../audit.js';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/Database.js';

/**
 * The registry's state in the database, changed only under a lock on registry_tracks: decisions see
 * every committed track, and revision numbers are committed in the order they are taken (so a
 * headset's cursor never passes a change still to commit).
 */

interface TrackRow {
  id: string;
  name: string;
  status: 'active' | 'retired';
  layout: number;
  superseded_by: string | null;
  revision: string | number;
  signature: TrackSignature;
  length_m: number;
  created_at: Date;
  updated_at: Date;
}

interface ConflictRow {
  id: string;
  kind: TrackConflict['kind'];
  state: TrackConflict['state'];
  track_id: string;
  track_name: string;
  track_signature: TrackSignature;
  proposed_name: string;
  signature: TrackSignature;
  distance_m: number | null;
  length_m: number;
  device_id: string;
  local_id: string;
  created_at: Date;
  resolution: TrackConflict['resolution'];
  resolved_by: string | null;
  resolved_at: Date | null;
  result_track_id: string | null;
}

const TRACK_COLUMNS = 'id, name, status, layout, superseded_by, revision, signature, length_m, created_at, updated_at';
const CONFLICT_QUERY = `SELECT c.id, c.kind, c.state, c.track_id, t.name AS track_name, t.signature AS track_signature, c.proposed_name,
  c.signature, c.distance_m, c.length_m, c.device_id, c.local_id, c.created_at, c.resolution, c.resolved_by, c.resolved_at, c.result_track_id
  FROM registry_conflicts c JOIN registry_tracks t ON t.id = c.track_id`;

const lock = (tx: Queryable) => tx.query('LOCK TABLE registry_tracks IN SHARE ROW EXCLUSIVE MODE');

/** A headset's new track, decided by the registry rules in one transaction. */
export async function proposeTrack(db: Database, clock: Clock, deviceId: string, proposal: TrackProposalRequest): Promise<TrackProposalResult> {
  checkSignature(proposal.signature);
  const now = clock.now();
  return db.transaction(async (tx) => {
    await lock(tx);
    const tracks = await venueTracks(tx, proposal.signature.cells);
    const candidates = await openCandidates(
      tx,
      tracks.map((t) => t.id),
    );
    const decision = decideProposal({ deviceId, name: proposal.name, signature: proposal.signature }, tracks.map(toRef), candidates);
    const actor = `device:${deviceId}`;
    switch (decision.kind) {
      case 'join': {
        if (decision.alias) {
          await tx.query(
            'INSERT INTO registry_track_aliases (track_id, name_key, name, first_seen_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
            [decision.trackId, nameKey(decision.alias), decision.alias, now],
          );
        }
        await link(tx, deviceId, proposal.localId, decision.trackId, now);
        return { outcome: 'joined', track: await trackById(tx, decision.trackId), conflictId: null };
      }
      case 'revise': {
        const revised = await reviseLayout(tx, now, decision.trackId, proposal.signature, actor);
        const conflict = await conflictRow(tx, decision.conflictId);
        await link(tx, conflict.device_id, conflict.local_id, revised.id, now);
        await link(tx, deviceId, proposal.localId, revised.id, now);
        await closeConflict(tx, decision.conflictId, 'auto-revised', actor, now, revised.id);
        await appendAudit(tx, {
          at: now,
          actor,
          action: 'track.revised',
          subject: decision.trackId,
          details: { layout: revised.id, conflict: decision.conflictId },
        });
        return { outcome: 'revised', track: revised, conflictId: null };
      }
      case 'candidate': {
        const conflictId =
          decision.existingConflictId ??
          (await openConflict(tx, now, {
            kind: 'revised-layout',
            trackId: decision.trackId,
            deviceId,
            proposal,
            distanceM: decision.distanceM,
          }));
        return { outcome: 'pending', track: null, conflictId };
      }
      case 'name-taken': {
        const conflictId = await openConflict(tx, now, { kind: 'name-taken', trackId: decision.trackId, deviceId, proposal, distanceM: null });
        return { outcome: 'pending', track: null, conflictId };
      }
      case 'new': {
        const track = await insertTrack(tx, now, { name: decision.name, layout: 1, signature: proposal.signature, createdBy: actor });
        await link(tx, deviceId, proposal.localId, track.id, now);
        await appendAudit(tx, { at: now, actor, action: 'track.created', subject: track.id, details: { name: track.name } });
        return { outcome: 'created', track, conflictId: null };
      }
    }
  });
}

/** The tracks changed after `since`, oldest change first, a page at a time. */
export async function syncTracks(db: Queryable, since: number): Promise<TrackSyncResult> {
  const rows = (
    await db.query<TrackRow>(`SELECT ${TRACK_COLUMNS} FROM registry_tracks WHERE revision > $1 ORDER BY revision LIMIT $2`, [
      since,
      TRACK_SYNC_PAGE + 1,
    ])
  ).rows;
  const page = rows.slice(0, TRACK_SYNC_PAGE).map(toRegistryTrack);
  return { tracks: page, cursor: page.length > 0 ? page[page.length - 1]!.revision : since, more: rows.length > TRACK_SYNC_PAGE };
}

export async function listTracks(db: Queryable): Promise<TrackSummary[]> {
  const rows = (await db.query<TrackRow>(`SELECT ${TRACK_COLUMNS} FROM registry_tracks ORDER BY status, name, layout`)).rows;
  const aliases = (await db.query<{ track_id: string; name: string }>('SELECT track_id, name FROM registry_track_aliases ORDER BY name')).rows;
  const headsets = (
    await db.query<{ track_id: string; n: number }>(
      'SELECT track_id, count(DISTINCT device_id)::int AS n FROM registry_track_links GROUP BY track_id',
    )
  ).rows;
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    status: row.status,
    layout: row.layout,
    supersededBy: row.superseded_by,
    revision: Number(row.revision),
    lengthM: Math.round(row.length_m),
    direction: row.signature.direction,
    aliases: aliases.filter((a) => a.track_id === row.id).map((a) => a.name),
    headsets: headsets.find((h) => h.track_id === row.id)?.n ?? 0,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    outline: outlineOf(row.signature),
  }));
}

/** Open conflicts first (oldest first), then the 50 latest resolved. */
export async function listConflicts(db: Queryable): Promise<TrackConflict[]> {
  const open = (await db.query<ConflictRow>(`${CONFLICT_QUERY} WHERE c.state = 'open' ORDER BY c.created_at, c.id`)).rows;
  const resolved = (await db.query<ConflictRow>(`${CONFLICT_QUERY} WHERE c.state = 'resolved' ORDER BY c.resolved_at DESC, c.id LIMIT 50`)).rows;
  return [...open, ...resolved].map(toConflict);
}

/** An operator's decision on an open conflict. */
export async function resolveConflict(
  db: Database,
  clock: Clock,
  operator: string,
  id: string,
  request: ResolveConflictRequest,
): Promise<TrackConflict> {
  const now = clock.now();
  return db.transaction(async (tx) => {
    await lock(tx);
    const conflict = await conflictRow(tx, id);
    if (conflict.state !== 'open') throw new FleetError('TRACK_CONFLICT_RESOLVED', undefined, { resolution: conflict.resolution });
    let result: string | null = null;
    switch (request.action) {
      case 'revise':
      case 'join':
        if (conflict.kind !== 'revised-layout')
          throw new FleetError('TRACK_RESOLUTION_INVALID', `A ${conflict.kind} conflict cannot be resolved by ${request.action}.`);
        result = request.action === 'revise' ? (await reviseLayout(tx, now, conflict.track_id, conflict.signature, operator)).id : conflict.track_id;
        await link(tx, conflict.device_id, conflict.local_id, result, now);
        break;
      case 'new': {
        if (!request.name) throw new FleetError('TRACK_RESOLUTION_INVALID', 'A new track needs its name.');
        const tracks = await venueTracks(tx, conflict.signature.cells);
        const clash = venueNameClash('', request.name, conflict.signature, tracks.map(toRef));
        if (clash) throw new FleetError('TRACK_NAME_TAKEN', undefined, { trackId: clash.id });
        const track = await insertTrack(tx, now, { name: request.name, layout: 1, signature: conflict.signature, createdBy: operator });
        await link(tx, conflict.device_id, conflict.local_id, track.id, now);
        result = track.id;
        break;
      }
      case 'dismiss':
        break;
    }
    await closeConflict(tx, id, request.action, operator, now, result);
    await appendAudit(tx, {
      at: now,
      actor: operator,
      action: 'track.conflict-resolved',
      subject: id,
      details: { action: request.action, track: result },
    });
    return toConflict(await conflictRow(tx, id));
  });
}

/** An operator's name for a canonical track; unique within its venue. */
export async function renameTrack(db: Database, clock: Clock, operator: string, id: string, name: string): Promise<TrackSummary> {
  const now = clock.now();
  await db.transaction(async (tx) => {
    await lock(tx);
    const track = await trackById(tx, id);
    const clash = venueNameClash(id, name, track.signature, (await venueTracks(tx, track.signature.cells)).map(toRef));
    if (clash) throw new FleetError('TRACK_NAME_TAKEN', undefined, { trackId: clash.id });
    await tx.query("UPDATE registry_tracks SET name = $2, updated_at = $3, revision = nextval('registry_revision_seq') WHERE id = $1", [
      id,
      name,
      now,
    ]);
    await appendAudit(tx, { at: now, actor: operator, action: 'track.renamed', subject: id, details: { from: track.name, to: name } });
  });
  return (await listTracks(db)).find((t) => t.id === id)!;
}

/**
 * A signature consistent with itself: its stated length that of its points, anticlockwise as stored,
 * and its cells those its points pass through (a point within rounding of a cell edge may differ).
 */
export function checkSignature(signature: TrackSignature): void {
  const points: Xy[] = [];
  for (let i = 0; i < signature.points.length; i += 2) points.push({ x: signature.points[i]!, y: signature.points[i + 1]! });
  let length = 0;
  points.forEach((p, i) => {
    const q = points[(i + 1) % points.length]!;
    length += Math.hypot(q.x - p.x, q.y - p.y);
  });
  if (Math.abs(length - signature.lengthM) > 0.02 * signature.lengthM)
    throw new FleetError('TRACK_SIGNATURE_INVALID', `Its points make ${Math.round(length)} m, not the ${Math.round(signature.lengthM)} m it states.`);
  if (signedArea2(points) <= 0) throw new FleetError('TRACK_SIGNATURE_INVALID', 'Its points are not stored anticlockwise.');
  const frame = new LocalFrame(signature.origin);
  const crossed = new Set(points.map((p) => cellOf(frame.toLatLon(p))));
  const stated = new Set(signature.cells);
  const differing = [...crossed].filter((c) => !stated.has(c)).length + [...stated].filter((c) => !crossed.has(c)).length;
  if (differing > 2) throw new FleetError('TRACK_SIGNATURE_INVALID', 'Its cells are not the ones its points pass through.');
}

async function venueTracks(tx: Queryable, cells: readonly string[]): Promise<TrackRow[]> {
  return (
    await tx.query<TrackRow>(
      `SELECT ${TRACK_COLUMNS} FROM registry_tracks WHERE id IN (SELECT track_id FROM registry_track_cells WHERE cell = ANY($1)) ORDER BY created_at, id`,
      [cells],
    )
  ).rows;
}

async function openCandidates(tx: Queryable, trackIds: readonly string[]): Promise<RevisionCandidateRef[]> {
  if (trackIds.length === 0) return [];
  const rows = (
    await tx.query<{ id: string; track_id: string; device_id: string; signature: TrackSignature }>(
      "SELECT id, track_id, device_id, signature FROM registry_conflicts WHERE state = 'open' AND kind = 'revised-layout' AND track_id = ANY($1) ORDER BY created_at, id",
      [trackIds],
    )
  ).rows;
  return rows.map((r) => ({ conflictId: r.id, trackId: r.track_id, deviceId: r.device_id, signature: r.signature }));
}

async function trackById(tx: Queryable, id: string): Promise<RegistryTrack> {
  const row = (await tx.query<TrackRow>(`SELECT ${TRACK_COLUMNS} FROM registry_tracks WHERE id = $1`, [id])).rows[0];
  if (!row) throw new FleetError('TRACK_NOT_FOUND');
  return toRegistryTrack(row);
}

async function conflictRow(tx: Queryable, id: string): Promise<ConflictRow> {
  const row = (await tx.query<ConflictRow>(`${CONFLICT_QUERY} WHERE c.id = $1`, [id])).rows[0];
  if (!row) throw new FleetError('TRACK_CONFLICT_NOT_FOUND');
  return row;
}

async function insertTrack(
  tx: Queryable,
  now: Date,
  track: { name: string; layout: number; signature: TrackSignature; createdBy: string },
): Promise<RegistryTrack> {
  const id = randomUUID();
  await tx.query(
    `INSERT INTO registry_tracks (id, name, status, layout, revision, signature, length_m, created_at, created_by, updated_at)
     VALUES ($1, $2, 'active', $3, nextval('registry_revision_seq'), $4, $5, $6, $7, $6)`,
    [id, track.name, track.layout, JSON.stringify(track.signature), track.signature.lengthM, now, track.createdBy],
  );
  await tx.query('INSERT INTO registry_track_cells (cell, track_id) SELECT unnest($1::text[]), $2', [track.signature.cells, id]);
  return trackById(tx, id);
}

/** The new layout becomes the track's name at the next layout number; the old one is retired, pointing to it. */
async function reviseLayout(tx: Queryable, now: Date, trackId: string, signature: TrackSignature, actor: string): Promise<RegistryTrack> {
  const old = await trackById(tx, trackId);
  if (old.status !== 'active') throw new FleetError('TRACK_RESOLUTION_INVALID', 'This layout was already replaced by another.');
  const revised = await insertTrack(tx, now, { name: old.name, layout: old.layout + 1, signature, createdBy: actor });
  await tx.query(
    "UPDATE registry_tracks SET status = 'retired', superseded_by = $2, updated_at = $3, revision = nextval('registry_revision_seq') WHERE id = $1",
    [trackId, revised.id, now],
  );
  // Other candidates against the retired layout are now about the new one's venue: left open for an operator.
  return revised;
}

async function link(tx: Queryable, deviceId: string, localId: string, trackId: string, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO registry_track_links (device_id, local_id, track_id, linked_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (device_id, local_id) DO UPDATE SET track_id = EXCLUDED.track_id, linked_at = EXCLUDED.linked_at`,
    [deviceId, localId, trackId, now],
  );
}

async function openConflict(
  tx: Queryable,
  now: Date,
  c: { kind: TrackConflict['kind']; trackId: string; deviceId: string; proposal: TrackProposalRequest; distanceM: number | null },
): Promise<string> {
  const id = randomUUID();
  await tx.query(
    `INSERT INTO registry_conflicts (id, kind, state, track_id, proposed_name, signature, distance_m, length_m, device_id, local_id, created_at)
     VALUES ($1, $2, 'open', $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      id,
      c.kind,
      c.trackId,
      c.proposal.name,
      JSON.stringify(c.proposal.signature),
      c.distanceM === null ? null : Math.round(c.distanceM * 10) / 10,
      c.proposal.signature.lengthM,
      c.deviceId,
      c.proposal.localId,
      now,
    ],
  );
  return id;
}

async function closeConflict(tx: Queryable, id: string, resolution: string, by: string, now: Date, result: string | null): Promise<void> {
  await tx.query(
    "UPDATE registry_conflicts SET state = 'resolved', resolution = $2, resolved_by = $3, resolved_at = $4, result_track_id = $5 WHERE id = $1",
    [id, resolution, by, now, result],
  );
}

function toRef(row: TrackRow): RegistryTrackRef {
  return { id: row.id, name: row.name, status: row.status, signature: row.signature };
}

function toRegistryTrack(row: TrackRow): RegistryTrack {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    layout: row.layout,
    supersededBy: row.superseded_by,
    revision: Number(row.revision),
    signature: row.signature,
  };
}

function toConflict(row: ConflictRow): TrackConflict {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    trackId: row.track_id,
    trackName: row.track_name,
    proposedName: row.proposed_name,
    distanceM: row.distance_m,
    lengthM: Math.round(row.length_m),
    deviceId: row.device_id,
    createdAt: row.created_at.toISOString(),
    resolution: row.resolution,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    resultTrackId: row.result_track_id,
    outline: outlineOf(row.signature),
    trackOutline: outlineOf(row.track_signature),
  };
}

/** 64 points of the centreline in whole metres around the track's centre, in driving order: no place on Earth. */
function outlineOf(signature: TrackSignature): [number, number][] {
  const n = signature.points.length / 2;
  const order = Array.from({ length: 64 }, (_, k) => Math.floor((k * n) / 64));
  if (signature.direction === 'clockwise') order.reverse();
  return order.map((i) => [Math.round(signature.points[2 * i]!), Math.round(signature.points[2 * i + 1]!)]);
}
