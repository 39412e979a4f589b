import { randomUUID } from 'node:crypto';
import { FleetError } from '../../src/fleet/errors.js';
import type { SupportOffer, SupportRelayOffer, SupportSession } from '../../src/fleet/supportApi.js';
import { appendAudit } from '../audit.js';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/Database.js';

/**
 * A support session's life on the server:
 *
 *   open ──(operator closes)──▶ closed
 *     └──(its end passes)────▶ expired (closed by 'server' when the next one opens for the headset)
 *
 * While open, every answer to the headset's signed check-in carries it with its relay.
 */

interface SessionRow {
  session_id: string;
  device_id: string;
  reason: string;
  relay: SupportRelayOffer;
  opened_by: string;
  opened_at: Date;
  expires_at: Date;
  delivered_at: Date | null;
  closed_at: Date | null;
  closed_by: string | null;
}

const COLUMNS = 'session_id, device_id, reason, relay, opened_by, opened_at, expires_at, delivered_at, closed_at, closed_by';

function toSession(row: SessionRow, now: Date): SupportSession {
  const state =
    row.closed_at !== null && row.closed_by !== EXPIRED_BY ? 'closed' : row.expires_at <= now || row.closed_at !== null ? 'expired' : 'open';
  return {
    sessionId: row.session_id,
    deviceId: row.device_id,
    state,
    reason: row.reason,
    relayName: row.relay.name,
    openedBy: row.opened_by,
    openedAt: row.opened_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    closedAt: row.closed_at?.toISOString() ?? null,
    closedBy: row.closed_by,
  };
}

/** Who closes a session that ran out (so its state reads expired, not closed by someone). */
const EXPIRED_BY = 'server';

/** Opens a session for an accepted headset; one at a time per headset (the unique index decides a race). */
export async function openSupportSession(
  db: Database,
  clock: Clock,
  relay: SupportRelayOffer,
  operator: string,
  deviceId: string,
  request: { minutes: number; reason: string },
): Promise<SupportSession> {
  const now = clock.now();
  return db.transaction(async (tx) => {
    const device = (await tx.query<{ status: string }>('SELECT status FROM devices WHERE device_id = $1', [deviceId])).rows[0];
    if (device?.status !== 'accepted') throw new FleetError('SUPPORT_DEVICE_NOT_ACCEPTED', undefined, { status: device?.status ?? null });
    await tx.query(
      'UPDATE support_sessions SET closed_at = expires_at, closed_by = $3 WHERE device_id = $1 AND closed_at IS NULL AND expires_at <= $2',
      [deviceId, now, EXPIRED_BY],
    );
    const inserted = (
      await tx.query<SessionRow>(
        `INSERT INTO support_sessions (session_id, device_id, reason, relay, opened_by, opened_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
        [randomUUID(), deviceId, request.reason, JSON.stringify(relay), operator, now, new Date(now.getTime() + request.minutes * 60_000)],
      )
    ).rows[0];
    if (!inserted) {
      const open = (
        await tx.query<{ session_id: string }>('SELECT session_id FROM support_sessions WHERE device_id = $1 AND closed_at IS NULL', [deviceId])
      ).rows[0];
      throw new FleetError('SUPPORT_SESSION_ALREADY_OPEN', undefined, { sessionId: open?.session_id ?? null });
    }
    await appendAudit(tx, {
      at: now,
      actor: operator,
      action: 'support.session-opened',
      subject: deviceId,
      details: { sessionId: inserted.session_id, minutes: request.minutes, reason: request.reason, relay: relay.name },
    });
    return toSession(inserted, now);
  });
}

/** Closes a session before its end (closing one already closed or ended answers it as it is). */
export async function closeSupportSession(
  db: Database,
  clock: Clock,
  operator: string,
  deviceId: string,
  sessionId: string,
): Promise<SupportSession> {
  const now = clock.now();
  return db.transaction(async (tx) => {
    const closed = (
      await tx.query<SessionRow>(
        `UPDATE support_sessions SET closed_at = $3, closed_by = $4
         WHERE session_id = $1 AND device_id = $2 AND closed_at IS NULL AND expires_at > $3 RETURNING ${COLUMNS}`,
        [sessionId, deviceId, now, operator],
      )
    ).rows[0];
    if (closed) {
      await appendAudit(tx, { at: now, actor: operator, action: 'support.session-closed', subject: deviceId, details: { sessionId } });
      return toSession(closed, now);
    }
    const row = (
      await tx.query<SessionRow>(`SELECT ${COLUMNS} FROM support_sessions WHERE session_id = $1 AND device_id = $2`, [sessionId, deviceId])
    ).rows[0];
    if (!row) throw new FleetError('SUPPORT_SESSION_NOT_FOUND');
    return toSession(row, now);
  });
}

/** A headset's sessions, newest first. */
export async function listDeviceSupportSessions(db: Queryable, clock: Clock, deviceId: string): Promise<SupportSession[]> {
  const rows = (
    await db.query<SessionRow>(`SELECT ${COLUMNS} FROM support_sessions WHERE device_id = $1 ORDER BY opened_at DESC LIMIT 100`, [deviceId])
  ).rows;
  const now = clock.now();
  return rows.map((r) => toSession(r, now));
}

/** The sessions open now across the fleet, the soonest to end first. */
export async function listOpenSupportSessions(db: Queryable, clock: Clock): Promise<SupportSession[]> {
  const now = clock.now();
  const rows = (
    await db.query<SessionRow>(`SELECT ${COLUMNS} FROM support_sessions WHERE closed_at IS NULL AND expires_at > $1 ORDER BY expires_at LIMIT 1000`, [
      now,
    ])
  ).rows;
  return rows.map((r) => toSession(r, now));
}

/** What the check-in answer carries: the headset's open session with its relay, marked delivered the first time. */
export async function supportOfferAtCheckIn(db: Queryable, clock: Clock, deviceId: string): Promise<SupportOffer | null> {
  const now = clock.now();
  const row = (
    await db.query<SessionRow>(
      `UPDATE support_sessions SET delivered_at = COALESCE(delivered_at, $2)
       WHERE device_id = $1 AND closed_at IS NULL AND expires_at > $2 RETURNING ${COLUMNS}`,
      [deviceId, now],
    )
  ).rows[0];
  return row ? { sessionId: row.session_id, expiresAt: row.expires_at.toISOString(), relay: row.relay } : null;
}
