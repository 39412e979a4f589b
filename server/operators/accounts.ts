import { FleetError } from '../../src/fleet/errors.js';
import type { Operator, OperatorRole } from '../../src/fleet/operatorApi.js';
import { appendAudit } from '../audit.js';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/Database.js';
import { checkNewPassword, oneTimePassword, type PasswordHasher } from './passwords.js';

export const FIRST_ADMIN = 'admin';

interface OperatorRow {
  username: string;
  role: OperatorRole;
  password_hash: string;
  must_change_password: boolean;
}

const toOperator = (row: OperatorRow): Operator => ({ username: row.username, role: row.role, mustChangePassword: row.must_change_password });

/** Creates an operator with a one-time password they must change at first login; returns that password. */
export async function createOperator(
  db: Queryable,
  hasher: PasswordHasher,
  clock: Clock,
  actor: string,
  username: string,
  role: OperatorRole,
): Promise<string> {
  const password = oneTimePassword();
  const now = clock.now();
  const created = await db.query(
    'INSERT INTO operators (username, role, password_hash, must_change_password, created_at) VALUES ($1, $2, $3, true, $4) ON CONFLICT (username) DO NOTHING',
    [username, role, await hasher.hash(password), now],
  );
  if (created.rowCount !== 1) throw new FleetError('OPERATOR_EXISTS');
  await appendAudit(db, { at: now, actor, action: 'operator.created', subject: username, details: { role } });
  return password;
}

/**
 * Creates the first admin when there is no operator at all, and returns its one-time password;
 * undefined when operators exist. Several processes starting at once create one admin between them.
 */
export async function createFirstAdmin(db: Queryable, hasher: PasswordHasher, clock: Clock): Promise<string | undefined> {
  if ((await db.query('SELECT 1 FROM operators LIMIT 1')).rowCount > 0) return undefined;
  const password = oneTimePassword();
  const now = clock.now();
  const created = await db.query(
    `INSERT INTO operators (username, role, password_hash, must_change_password, created_at)
     SELECT $1, 'admin', $2, true, $3 WHERE NOT EXISTS (SELECT 1 FROM operators) ON CONFLICT (username) DO NOTHING`,
    [FIRST_ADMIN, await hasher.hash(password), now],
  );
  if (created.rowCount !== 1) return undefined;
  await appendAudit(db, { at: now, actor: 'server', action: 'operator.created', subject: FIRST_ADMIN, details: { role: 'admin', first: true } });
  return password;
}

/** Gives an operator a new one-time password (the server's `--reset-password USER`), ending their sessions. */
export async function resetPassword(db: Queryable, hasher: PasswordHasher, clock: Clock, username: string): Promise<string> {
  const password = oneTimePassword();
  const now = clock.now();
  const updated = await db.query(
    'UPDATE operators SET password_hash = $2, must_change_password = true, password_changed_at = $3 WHERE username = $1',
    [username, await hasher.hash(password), now],
  );
  if (updated.rowCount !== 1) throw new Error(`No operator is named ${username}.`);
  await db.query('DELETE FROM operator_sessions WHERE username = $1', [username]);
  await appendAudit(db, { at: now, actor: 'server', action: 'operator.password-reset', subject: username });
  return password;
}

// Checked when the user name is unknown, so the answer takes as long as for a known one.
const decoyHashes = new WeakMap<PasswordHasher, Promise<string>>();

/** The operator whose password this is; LOGIN_FAILED otherwise, alike for an unknown name and a wrong password. */
export async function checkCredentials(db: Queryable, hasher: PasswordHasher, username: string, password: string): Promise<Operator> {
  const row = (
    await db.query<OperatorRow>('SELECT username, role, password_hash, must_change_password FROM operators WHERE username = $1', [username])
  ).rows[0];
  if (!decoyHashes.has(hasher)) decoyHashes.set(hasher, hasher.hash('decoy password, never valid'));
  const valid = await hasher.verify(row?.password_hash ?? (await decoyHashes.get(hasher)!), password);
  if (!row || !valid) throw new FleetError('LOGIN_FAILED');
  return toOperator(row);
}

/** Changes an operator's password after checking the current one; clears the one-time flag. */
export async function changePassword(
  db: Queryable,
  hasher: PasswordHasher,
  clock: Clock,
  username: string,
  currentPassword: string,
  newPassword: string,
): Promise<Operator> {
  await checkCredentials(db, hasher, username, currentPassword);
  checkNewPassword(newPassword, currentPassword);
  const now = clock.now();
  const row = (
    await db.query<OperatorRow>(
      `UPDATE operators SET password_hash = $2, must_change_password = false, password_changed_at = $3 WHERE username = $1
       RETURNING username, role, password_hash, must_change_password`,
      [username, await hasher.hash(newPassword), now],
    )
  ).rows[0]!;
  await appendAudit(db, { at: now, actor: username, action: 'operator.password-changed', subject: username });
  return toOperator(row);
}
