import type { FastifyInstance } from 'fastify';
import {
  TELEMETRY_API,
  crashListSchema,
  crashesQuerySchema,
  daysQuerySchema,
  deletionListSchema,
  telemetryDaysSchema,
} from '../../src/fleet/telemetryApi.js';
import type { ZodTypeProvider } from '../http/zodTypeProvider.js';
import { requireOperator } from '../operators/operatorAuth.js';
import type { ServerContext } from '../serverContext.js';
import { crashRecords, deletionRequests, telemetryDays } from './telemetryReads.js';
import { DEFAULT_TELEMETRY_RETENTION_DAYS } from './telemetryRoutes.js';

/** Telemetry for operators (any role reads): records per day, crash records, deletion requests. */
export function telemetryAdminRoutes(context: ServerContext) {
  const { db, clock } = context;
  const viewer = requireOperator(context, { role: 'viewer' });
  return async (app: FastifyInstance) => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    routes.get(
      TELEMETRY_API.days,
      { preHandler: viewer, schema: { querystring: daysQuerySchema, response: { 200: telemetryDaysSchema } } },
      async (request) => ({
        days: await telemetryDays(db, clock, request.query.days),
        retentionDays: context.telemetryRetentionDays ?? DEFAULT_TELEMETRY_RETENTION_DAYS,
      }),
    );
    routes.get(
      TELEMETRY_API.crashes,
      { preHandler: viewer, schema: { querystring: crashesQuerySchema, response: { 200: crashListSchema } } },
      async (request) => crashRecords(db, request.query.limit, request.query.before),
    );
    routes.get(TELEMETRY_API.deletions, { preHandler: viewer, schema: { response: { 200: deletionListSchema } } }, async () => deletionRequests(db));
  };
}
