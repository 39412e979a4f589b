import { FleetError } from '../../src/fleet/errors.js';
import type { Operator, OperatorAccount, OperatorRole, OperatorUpdateRequest } from '../../src/fleet/operatorApi.js';
import { appendAudit } from '../audit.js';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/Database.js';
import { checkNewPassword, oneTimePassword, type PasswordHasher } from './passwords.js';

export const FIRST_ADMIN = 'admin';

interface OperatorRow {
  username: string;
  role: OperatorRole;
  password_hash: string;
  must_change_password: boolean;
  disabled_at: Date | null;
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
    await db.query<OperatorRow>('SELECT username, role, password_hash, must_change_password, disabled_at FROM operators WHERE username = $1', [
      username,
    ])
  ).rows[0];
  if (!decoyHashes.has(hasher)) decoyHashes.set(hasher, hasher.hash('decoy password, never valid'));
  const valid = await hasher.verify(row?.password_hash ?? (await decoyHashes.get(hasher)!), password);
  // A disabled operator is refused like a wrong password, after the same work: nobody learns who is disabled.
  if (!row || !valid || row.disabled_at !== null) throw new FleetError('LOGIN_FAILED');
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
       RETURNING username, role, password_hash, must_change_password, disabled_at`,
      [username, await hasher.hash(newPassword), now],
    )
  ).rows[0]!;
  await appendAudit(db, { at: now, actor: username, action: 'operator.password-changed', subject: username });
  return toOperator(row);
}

interface AccountRow extends OperatorRow {
  created_at: Date;
}

const toAccount = (row: AccountRow): OperatorAccount => ({
  ...toOperator(row),
  disabled: row.disabled_at !== null,
  createdAt: row.created_at.toISOString(),
});

/** Every operator, enabled ones first, by name. */
export async function listOperators(db: Queryable): Promise<OperatorAccount[]> {
  const rows = (
    await db.query<AccountRow>(
      `SELECT username, role, password_hash, must_change_password, disabled_at, created_at FROM operators
       ORDER BY disabled_at IS NOT NULL, username`,
    )
  ).rows;
  return rows.map(toAccount);
}

/**
 * An admin changes an operator's role (their own too, while another admin remains), or disables or enables them. Disabling ends their
 * sessions at once; a role change applies to their next request (sessions read the role each time).
 * The admins' rows are locked first, so two admins disabling each other at once cannot leave none.
 */
export async function updateOperator(
  db: Database,
  clock: Clock,
  actor: string,
  username: string,
  change: OperatorUpdateRequest,
): Promise<OperatorAccount> {
  return db.transaction(async (tx) => {
    const admins = (await tx.query<{ username: string }>(`SELECT username FROM operators WHERE role = 'admin' AND disabled_at IS NULL FOR UPDATE`))
      .rows;
    const row = (
      await tx.query<AccountRow>(
        'SELECT username, role, password_hash, must_change_password, disabled_at, created_at FROM operators WHERE username = $1 FOR UPDATE',
        [username],
      )
    ).rows[0];
    if (!row) throw new FleetError('OPERATOR_NOT_FOUND');
    const role = change.role ?? row.role;
    const disabled = change.disabled ?? row.disabled_at !== null;
    const staysAdmin = role === 'admin' && !disabled;
    if (!staysAdmin && admins.every((a) => a.username === username)) throw new FleetError('LAST_ADMIN');
    const now = clock.now();
    const updated = (
      await tx.query<AccountRow>(
        `UPDATE operators SET role = $2,
           disabled_at = CASE WHEN $3::boolean THEN COALESCE(disabled_at, $4) ELSE NULL END,
           disabled_by = CASE WHEN $3::boolean THEN COALESCE(disabled_by, $5) ELSE NULL END
         WHERE username = $1
         RETURNING username, role, password_hash, must_change_password, disabled_at, created_at`,
        [username, role, disabled, now, actor],
      )
    ).rows[0]!;
    if (disabled) await tx.query('DELETE FROM operator_sessions WHERE username = $1', [username]);
    if (role !== row.role)
      await appendAudit(tx, { at: now, actor, action: 'operator.role-changed', subject: username, details: { from: row.role, to: role } });
    if (disabled !== (row.disabled_at !== null))
      await appendAudit(tx, { at: now, actor, action: disabled ? 'operator.disabled' : 'operator.enabled', subject: username });
    return toAccount(updated);
  });
}
