import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { deviceIdSchema } from '../../src/fleet/deviceApi.js';
import { FleetError } from '../../src/fleet/errors.js';
import { SUPPORT_API, openSupportSessionRequestSchema, supportSessionListSchema, supportSessionSchema } from '../../src/fleet/supportApi.js';
import type { ZodTypeProvider } from '../http/zodTypeProvider.js';
import { requireOperator } from '../operators/operatorAuth.js';
import type { ServerContext } from '../serverContext.js';
import { closeSupportSession, listDeviceSupportSessions, listOpenSupportSessions, openSupportSession } from './supportSessions.js';

const BODY_LIMIT = 4 * 1024;
const deviceParams = z.object({ deviceId: deviceIdSchema });
const sessionParams = deviceParams.extend({ sessionId: z.string().uuid() });

/** Support sessions for operators: viewers read, support operators open and close. */
export function supportRoutes(context: ServerContext) {
  const { db, clock } = context;
  const viewer = requireOperator(context, { role: 'viewer' });
  const support = requireOperator(context, { role: 'support' });
  return async (app: FastifyInstance) => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    // Fastify's patterns of the same paths (SUPPORT_API encodes what it is given, so not built from it).
    const deviceSessions = '/api/v1/devices/:deviceId/support-sessions';

    routes.get(SUPPORT_API.open, { preHandler: viewer, schema: { response: { 200: supportSessionListSchema } } }, async () => ({
      sessions: await listOpenSupportSessions(db, clock),
    }));

    routes.get(
      deviceSessions,
      { preHandler: viewer, schema: { params: deviceParams, response: { 200: supportSessionListSchema } } },
      async (request) => ({
        sessions: await listDeviceSupportSessions(db, clock, request.params.deviceId),
      }),
    );

    routes.post(
      deviceSessions,
      {
        bodyLimit: BODY_LIMIT,
        preHandler: support,
        schema: { params: deviceParams, body: openSupportSessionRequestSchema, response: { 201: supportSessionSchema } },
      },
      async (request, reply) => {
        if (!context.supportRelay) throw new FleetError('SUPPORT_NOT_CONFIGURED');
        const session = await openSupportSession(
          db,
          clock,
          context.supportRelay,
          request.session!.operator.username,
          request.params.deviceId,
          request.body,
        );
        return reply.code(201).send(session);
      },
    );

    routes.post(
      `${deviceSessions}/:sessionId/close`,
      { bodyLimit: BODY_LIMIT, preHandler: support, schema: { params: sessionParams, response: { 200: supportSessionSchema } } },
      async (request) => closeSupportSession(db, clock, request.session!.operator.username, request.params.deviceId, request.params.sessionId),
    );
  };
}
