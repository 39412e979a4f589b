import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { deviceIdSchema } from '../../src/fleet/deviceApi.js';
import {
  DEVICE_DECISIONS,
  OPERATOR_API,
  deviceDetailSchema,
  deviceListQuerySchema,
  deviceListSchema,
  preauthorizationListSchema,
  preauthorizationRequestSchema,
  reregistrationPolicySchema,
} from '../../src/fleet/operatorApi.js';
import { FleetError } from '../../src/fleet/errors.js';
import { appendAudit } from '../audit.js';
import type { ZodTypeProvider } from '../http/zodTypeProvider.js';
import { requireOperator } from '../operators/operatorAuth.js';
import type { ServerContext } from '../serverContext.js';
import { decideOnDevice, getDevice, listDevices } from './fleetDevices.js';
import { readReregistrationPolicy, writeReregistrationPolicy } from './reregistrationPolicy.js';

const OPERATOR_BODY_LIMIT = 16 * 1024;
const deviceParams = z.object({ deviceId: deviceIdSchema });

/** The headsets, for operators: viewers read, support decides on headsets, admins set what happens automatically. */
export function deviceAdminRoutes(context: ServerContext) {
  const { db, clock } = context;
  const viewer = requireOperator(context, { role: 'viewer' });
  const support = requireOperator(context, { role: 'support' });
  const admin = requireOperator(context, { role: 'admin' });
  return async (app: FastifyInstance) => {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get(
      OPERATOR_API.devices,
      { preHandler: viewer, schema: { querystring: deviceListQuerySchema, response: { 200: deviceListSchema } } },
      async (request) => ({
        devices: await listDevices(db, request.query.status),
      }),
    );

    routes.get(
      `${OPERATOR_API.devices}/:deviceId`,
      { preHandler: viewer, schema: { params: deviceParams, response: { 200: deviceDetailSchema } } },
      async (request) => getDevice(db, request.params.deviceId),
    );

    for (const decision of DEVICE_DECISIONS) {
      routes.post(
        `${OPERATOR_API.devices}/:deviceId/${decision}`,
        { bodyLimit: OPERATOR_BODY_LIMIT, preHandler: support, schema: { params: deviceParams, response: { 200: deviceDetailSchema } } },
        async (request) => decideOnDevice(db, clock, request.session!.operator.username, request.params.deviceId, decision),
      );
    }

    routes.get(OPERATOR_API.preauthorizations, { preHandler: viewer, schema: { response: { 200: preauthorizationListSchema } } }, async () => {
      const rows = (
        await db.query<{ device_id: string; created_by: string; created_at: Date }>(
          'SELECT device_id, created_by, created_at FROM preauthorized_devices ORDER BY created_at DESC LIMIT 1000',
        )
      ).rows;
      return { preauthorizations: rows.map((r) => ({ deviceId: r.device_id, createdBy: r.created_by, createdAt: r.created_at.toISOString() })) };
    });

    routes.post(
      OPERATOR_API.preauthorizations,
      { bodyLimit: OPERATOR_BODY_LIMIT, preHandler: admin, schema: { body: preauthorizationRequestSchema } },
      async (request, reply) => {
        const now = clock.now();
        const operator = request.session!.operator.username;
        await db.transaction(async (tx) => {
          await tx.query(
            'INSERT INTO preauthorized_devices (device_id, created_by, created_at) VALUES ($1, $2, $3) ON CONFLICT (device_id) DO NOTHING',
            [request.body.deviceId, operator, now],
          );
          await appendAudit(tx, { at: now, actor: operator, action: 'device.preauthorized', subject: request.body.deviceId });
        });
        return reply.code(204).send();
      },
    );

    routes.delete(`${OPERATOR_API.preauthorizations}/:deviceId`, { preHandler: admin, schema: { params: deviceParams } }, async (request, reply) => {
      const now = clock.now();
      const operator = request.session!.operator.username;
      await db.transaction(async (tx) => {
        const removed = await tx.query('DELETE FROM preauthorized_devices WHERE device_id = $1', [request.params.deviceId]);
        if (removed.rowCount !== 1) throw new FleetError('PREAUTHORIZATION_NOT_FOUND');
        await appendAudit(tx, { at: now, actor: operator, action: 'device.preauthorization-removed', subject: request.params.deviceId });
      });
      return reply.code(204).send();
    });

    routes.get(OPERATOR_API.reregistrationPolicy, { preHandler: viewer, schema: { response: { 200: reregistrationPolicySchema } } }, async () => ({
      policy: await readReregistrationPolicy(db),
    }));

    routes.put(
      OPERATOR_API.reregistrationPolicy,
      {
        bodyLimit: OPERATOR_BODY_LIMIT,
        preHandler: admin,
        schema: { body: reregistrationPolicySchema, response: { 200: reregistrationPolicySchema } },
      },
      async (request) => {
        const now = clock.now();
        await db.transaction(async (tx) => {
          await writeReregistrationPolicy(tx, request.body.policy);
          await appendAudit(tx, {
            at: now,
            actor: request.session!.operator.username,
            action: 'settings.reregistration-policy',
            subject: request.body.policy,
          });
        });
        return { policy: request.body.policy };
      },
    );
  };
}
