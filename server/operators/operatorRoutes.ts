import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  OPERATOR_API,
  SESSION_COOKIE,
  changePasswordRequestSchema,
  createOperatorRequestSchema,
  createdOperatorSchema,
  loginRequestSchema,
  operatorAccountSchema,
  operatorListSchema,
  operatorUpdateRequestSchema,
  sessionSchema,
  usernameSchema,
} from '../../src/fleet/operatorApi.js';
import { z } from 'zod';
import { FleetError } from '../../src/fleet/errors.js';
import { sessionCookie } from '../http/cookies.js';
import type { ZodTypeProvider } from '../http/zodTypeProvider.js';
import type { ServerContext } from '../serverContext.js';
import { countEvent, uncount } from '../throttling/throttle.js';
import { throttleLimits } from '../throttling/throttleLimits.js';
import { changePassword, checkCredentials, createOperator, listOperators, updateOperator } from './accounts.js';
import { requireOperator, sessionToken } from './operatorAuth.js';
import { SESSION_TTL_MS, closeSession, closeSessionsOf, openSession } from './sessions.js';

const OPERATOR_BODY_LIMIT = 16 * 1024;

/** Logging in and out, the one-time password's change, and (admins) the operators: list, create, role, disable. */
export function operatorRoutes(context: ServerContext) {
  const { db, clock, passwords } = context;
  const anySession = requireOperator(context, { role: 'viewer', beforePasswordChange: true });
  const admin = requireOperator(context, { role: 'admin' });
  const limits = throttleLimits(context.throttleLimits);
  const setCookie = (reply: FastifyReply, token: string, maxAgeMs: number) =>
    reply.header('set-cookie', sessionCookie(SESSION_COOKIE, token, { maxAgeSeconds: Math.floor(maxAgeMs / 1000), secure: context.secureCookies }));

  return async (app: FastifyInstance) => {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get(OPERATOR_API.session, { preHandler: anySession, schema: { response: { 200: sessionSchema } } }, async (request) => request.session!);

    routes.post(
      OPERATOR_API.login,
      { bodyLimit: OPERATOR_BODY_LIMIT, schema: { body: loginRequestSchema, response: { 200: sessionSchema } } },
      async (request, reply) => {
        // Counted before the password is checked (so processes racing cannot pass the limit), taken
        // back if it was refused or right: the limits count failures only.
        const verdict = await countEvent(db, clock, [
          { rule: limits.loginPerAddress, key: request.ip },
          { rule: limits.loginPerUser, key: request.body.username.toLowerCase() },
        ]);
        if (!verdict.allowed) {
          await uncount(db, verdict.counted);
          request.log.warn({ retryAfterSeconds: verdict.retryAfterSeconds }, 'login throttled');
          throw new FleetError('LOGIN_THROTTLED', undefined, { retryAfterSeconds: verdict.retryAfterSeconds });
        }
        const operator = await checkCredentials(db, passwords, request.body.username, request.body.password);
        await uncount(db, verdict.counted);
        const { token, csrfToken } = await openSession(db, clock, operator.username);
        setCookie(reply, token, SESSION_TTL_MS);
        return { operator, csrfToken };
      },
    );

    routes.post(OPERATOR_API.logout, { bodyLimit: OPERATOR_BODY_LIMIT, preHandler: anySession }, async (request, reply) => {
      await closeSession(db, sessionToken(request)!);
      setCookie(reply, '', 0);
      return reply.code(204).send();
    });

    routes.post(
      OPERATOR_API.password,
      { bodyLimit: OPERATOR_BODY_LIMIT, preHandler: anySession, schema: { body: changePasswordRequestSchema, response: { 200: sessionSchema } } },
      async (request, reply) => {
        const username = request.session!.operator.username;
        const operator = await changePassword(db, passwords, clock, username, request.body.currentPassword, request.body.newPassword);
        // Every session opened with the old password ends; this one goes on under a new token.
        await closeSessionsOf(db, username);
        const { token, csrfToken } = await openSession(db, clock, username);
        setCookie(reply, token, SESSION_TTL_MS);
        return { operator, csrfToken };
      },
    );

    routes.post(
      OPERATOR_API.operators,
      { bodyLimit: OPERATOR_BODY_LIMIT, preHandler: admin, schema: { body: createOperatorRequestSchema, response: { 201: createdOperatorSchema } } },
      async (request, reply) => {
        const { username, role } = request.body;
        const oneTimePassword = await createOperator(db, passwords, clock, request.session!.operator.username, username, role);
        return reply.code(201).send({ username, role, mustChangePassword: true, oneTimePassword });
      },
    );

    routes.get(OPERATOR_API.operators, { preHandler: admin, schema: { response: { 200: operatorListSchema } } }, async () => ({
      operators: await listOperators(db),
    }));

    routes.patch(
      `${OPERATOR_API.operators}/:username`,
      {
        bodyLimit: OPERATOR_BODY_LIMIT,
        preHandler: admin,
        schema: { params: z.object({ username: usernameSchema }), body: operatorUpdateRequestSchema, response: { 200: operatorAccountSchema } },
      },
      async (request) => updateOperator(db, clock, request.session!.operator.username, request.params.username, request.body),
    );
  };
}
