import type { Queryable } from './db/Database.js';

export interface AuditEntry {
  at: Date;
  /** An operator's user name, or `device:<id>` for what a headset did. */
  actor: string;
  action: string;
  subject: string;
  details?: Record<string, unknown>;
}

/** Records who decided what about which headset or account; written in the same transaction as the change. */
export async function appendAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query('INSERT INTO audit_log (at, actor, action, subject, details) VALUES ($1, $2, $3, $4, $5)', [
    entry.at,
    entry.actor,
    entry.action,
    entry.subject,
    entry.details === undefined ? null : JSON.stringify(entry.details),
  ]);
}
