import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  ROLLOUT_ACTIONS,
  UPDATE_API,
  createRolloutRequestSchema,
  rolloutActionRequestSchema,
  rolloutDetailSchema,
  rolloutListSchema,
  rolloutSchema,
} from '../../src/fleet/updateApi.js';
import type { ZodTypeProvider } from '../http/zodTypeProvider.js';
import { requireOperator } from '../operators/operatorAuth.js';
import type { ServerContext } from '../serverContext.js';
import { actOnRollout, createRollout, getRolloutDetail, listRollouts } from './rollouts.js';

const BODY_LIMIT = 8 * 1024;

/** Rollouts for operators: viewers follow them, admins create and drive them. */
export function rolloutRoutes(context: ServerContext) {
  const { db, clock } = context;
  const admin = requireOperator(context, { role: 'admin' });
  const viewer = requireOperator(context, { role: 'viewer' });
  return async (app: FastifyInstance) => {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get(UPDATE_API.rollouts, { preHandler: viewer, schema: { response: { 200: rolloutListSchema } } }, async () => ({
      rollouts: await listRollouts(db),
    }));

    routes.post(
      UPDATE_API.rollouts,
      { bodyLimit: BODY_LIMIT, preHandler: admin, schema: { body: createRolloutRequestSchema, response: { 200: rolloutSchema } } },
      async (request) => createRollout(db, clock, request.session!.operator.username, request.body),
    );

    routes.get(
      `${UPDATE_API.rollouts}/:id`,
      { preHandler: viewer, schema: { params: z.object({ id: z.string().max(64) }), response: { 200: rolloutDetailSchema } } },
      async (request) => getRolloutDetail(db, request.params.id),
    );

    routes.post(
      `${UPDATE_API.rollouts}/:id/:action`,
      {
        bodyLimit: BODY_LIMIT,
        preHandler: admin,
        schema: {
          params: z.object({ id: z.string().max(64), action: z.enum(ROLLOUT_ACTIONS) }),
          body: rolloutActionRequestSchema,
          response: { 200: rolloutSchema },
        },
      },
      async (request) => actOnRollout(db, clock, request.session!.operator.username, request.params.id, request.params.action, request.body.phase),
    );
  };
}
