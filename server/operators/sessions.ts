import { createHash, randomBytes } from 'node:crypto';
import type { Operator, OperatorRole } from '../../src/fleet/operatorApi.js';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/Database.js';

/** How long a session lasts after login. */
export const SESSION_TTL_MS = 12 * 60 * 60_000;

export interface OperatorSession {
  operator: Operator;
  csrfToken: string;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Opens a session; returns the cookie's token (only its hash is stored) and the session's CSRF token. */
export async function openSession(db: Queryable, clock: Clock, username: string): Promise<{ token: string; csrfToken: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const now = clock.now();
  await db.query('DELETE FROM operator_sessions WHERE expires_at < $1', [now]);
  await db.query('INSERT INTO operator_sessions (token_hash, username, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    tokenHash(token),
    username,
    csrfToken,
    now,
    new Date(now.getTime() + SESSION_TTL_MS),
  ]);
  return { token, csrfToken };
}

interface SessionRow {
  username: string;
  role: OperatorRole;
  must_change_password: boolean;
  csrf_token: string;
}

/** The live session a cookie token names, or undefined (unknown, expired, or its operator disabled). */
export async function findSession(db: Queryable, clock: Clock, token: string): Promise<OperatorSession | undefined> {
  const row = (
    await db.query<SessionRow>(
      `SELECT o.username, o.role, o.must_change_password, s.csrf_token
       FROM operator_sessions s JOIN operators o ON o.username = s.username
       WHERE s.token_hash = $1 AND s.expires_at > $2 AND o.disabled_at IS NULL`,
      [tokenHash(token), clock.now()],
    )
  ).rows[0];
  if (!row) return undefined;
  return { operator: { username: row.username, role: row.role, mustChangePassword: row.must_change_password }, csrfToken: row.csrf_token };
}

export async function closeSession(db: Queryable, token: string): Promise<void> {
  await db.query('DELETE FROM operator_sessions WHERE token_hash = $1', [tokenHash(token)]);
}

/** Ends every session of an operator (after a password change, before the new one opens). */
export async function closeSessionsOf(db: Queryable, username: string): Promise<void> {
  await db.query('DELETE FROM operator_sessions WHERE username = $1', [username]);
}
