import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { FleetError } from '../../src/fleet/errors.js';
import { CSRF_HEADER, SESSION_COOKIE, type OperatorRole } from '../../src/fleet/operatorApi.js';
import type { ServerContext } from '../serverContext.js';
import { readCookie } from '../http/cookies.js';
import { findSession, type OperatorSession } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The operator's session, once checked. */
    session?: OperatorSession;
  }
}

/** What each role may do, from least to most: a role may do what the ones before it may. */
const RANK: Record<OperatorRole, number> = { viewer: 0, support: 1, admin: 2 };

export interface OperatorGate {
  /** The least role allowed. */
  role: OperatorRole;
  /** Allowed with a one-time password still unchanged (reading the session, changing the password, logging out). */
  beforePasswordChange?: boolean;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A preHandler admitting an operator's request: a live session cookie, the session's CSRF token on
 * anything that changes state, the one-time password changed, and a role high enough. Checked in
 * that order, so a request without a session learns nothing about the rest.
 */
export function requireOperator(context: ServerContext, gate: OperatorGate) {
  return async (request: FastifyRequest) => {
    const token = readCookie(request.headers.cookie, SESSION_COOKIE);
    const session = token ? await findSession(context.db, context.clock, token) : undefined;
    if (!session) throw new FleetError('NOT_AUTHENTICATED');
    if (STATE_CHANGING.has(request.method) && !sameToken(request.headers[CSRF_HEADER], session.csrfToken)) throw new FleetError('CSRF_TOKEN_INVALID');
    if (session.operator.mustChangePassword && !gate.beforePasswordChange) throw new FleetError('PASSWORD_CHANGE_REQUIRED');
    if (RANK[session.operator.role] < RANK[gate.role]) throw new FleetError('ROLE_REQUIRED', `This needs the ${gate.role} role.`);
    request.session = session;
  };
}

function sameToken(sent: string | string[] | undefined, expected: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The cookie's session token, for logout. */
export function sessionToken(request: FastifyRequest): string | undefined {
  return readCookie(request.headers.cookie, SESSION_COOKIE);
}
