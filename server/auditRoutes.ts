import type { FastifyInstance } from 'fastify';
import { OPERATOR_API, auditPageSchema, auditQuerySchema, type AuditPage } from '../src/fleet/operatorApi.js';
import type { Queryable } from './db/Database.js';
import type { ZodTypeProvider } from './http/zodTypeProvider.js';
import { requireOperator } from './operators/operatorAuth.js';
import type { ServerContext } from './serverContext.js';

interface AuditRow {
  id: number | string;
  at: Date;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown> | null;
}

/**
 * One page of the audit log, newest first. Paged by id (keyset, not offset), so entries written
 * while an admin reads do not shift the pages they have not seen yet.
 */
export async function readAuditPage(db: Queryable, options: { before?: number; limit: number }): Promise<AuditPage> {
  const rows = (
    await db.query<AuditRow>(
      `SELECT id, at, actor, action, subject, details FROM audit_log
       WHERE ($1::bigint IS NULL OR id < $1::bigint) ORDER BY id DESC LIMIT $2`,
      [options.before ?? null, options.limit + 1],
    )
  ).rows;
  const page = rows.slice(0, options.limit);
  return {
    // int8 comes back as a string from pg and a number from PGlite.
    entries: page.map((r) => ({
      id: Number(r.id),
      at: r.at.toISOString(),
      actor: r.actor,
      action: r.action,
      subject: r.subject,
      details: r.details,
    })),
    nextBefore: rows.length > options.limit ? Number(page[page.length - 1]!.id) : null,
  };
}

/** The audit log for admins: who did what to which headset or account. */
export function auditRoutes(context: ServerContext) {
  const admin = requireOperator(context, { role: 'admin' });
  return async (app: FastifyInstance) => {
    app
      .withTypeProvider<ZodTypeProvider>()
      .get(
        OPERATOR_API.audit,
        { preHandler: admin, schema: { querystring: auditQuerySchema, response: { 200: auditPageSchema } } },
        async (request) => readAuditPage(context.db, request.query),
      );
  };
}
