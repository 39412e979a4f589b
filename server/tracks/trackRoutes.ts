import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  TRACK_API,
  renameTrackRequestSchema,
  resolveConflictRequestSchema,
  trackConflictListSchema,
  trackConflictSchema,
  trackListSchema,
  trackProposalResultSchema,
  trackProposalSchema,
  trackSummarySchema,
  trackSyncRequestSchema,
  trackSyncResultSchema,
} from '../../src/fleet/trackApi.js';
import { authenticateSignedRequest } from '../devices/signedRequests.js';
import type { ZodTypeProvider } from '../http/zodTypeProvider.js';
import { requireOperator } from '../operators/operatorAuth.js';
import type { ServerContext } from '../serverContext.js';
import { listConflicts, listTracks, proposeTrack, renameTrack, resolveConflict, syncTracks } from './trackRegistry.js';

// A signature is 512 numbers and a few hundred cells at most: about 10 KiB as JSON.
const PROPOSAL_BODY_LIMIT = 32 * 1024;
const SMALL_BODY_LIMIT = 1024;
const uuid = z.string().uuid();

/** The track registry: headsets propose and sync over their signed channel; operators list, rename and resolve. */
export function trackRoutes(context: ServerContext) {
  const { db, clock } = context;
  const viewer = requireOperator(context, { role: 'viewer' });
  const support = requireOperator(context, { role: 'support' });
  return async (app: FastifyInstance) => {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.post(
      TRACK_API.proposals,
      {
        bodyLimit: PROPOSAL_BODY_LIMIT,
        preValidation: async (request) => {
          request.deviceId = await authenticateSignedRequest(db, clock, {
            method: request.method,
            url: request.url,
            headers: request.headers,
            body: request.rawBody,
          });
        },
        schema: { body: trackProposalSchema, response: { 200: trackProposalResultSchema } },
      },
      async (request) => proposeTrack(db, clock, request.deviceId!, request.body),
    );

    routes.post(
      TRACK_API.sync,
      {
        bodyLimit: SMALL_BODY_LIMIT,
        preValidation: async (request) => {
          request.deviceId = await authenticateSignedRequest(db, clock, {
            method: request.method,
            url: request.url,
            headers: request.headers,
            body: request.rawBody,
          });
        },
        schema: { body: trackSyncRequestSchema, response: { 200: trackSyncResultSchema } },
      },
      async (request) => syncTracks(db, request.body.since),
    );

    routes.get(TRACK_API.tracks, { preHandler: viewer, schema: { response: { 200: trackListSchema } } }, async () => ({
      tracks: await listTracks(db),
    }));

    routes.put(
      `${TRACK_API.tracks}/:id/name`,
      {
        bodyLimit: SMALL_BODY_LIMIT,
        preHandler: support,
        schema: { params: z.object({ id: uuid }), body: renameTrackRequestSchema, response: { 200: trackSummarySchema } },
      },
      async (request) => renameTrack(db, clock, request.session!.operator.username, request.params.id, request.body.name),
    );

    routes.get(TRACK_API.conflicts, { preHandler: viewer, schema: { response: { 200: trackConflictListSchema } } }, async () => ({
      conflicts: await listConflicts(db),
    }));

    routes.post(
      `${TRACK_API.conflicts}/:id/resolve`,
      {
        bodyLimit: SMALL_BODY_LIMIT,
        preHandler: support,
        schema: { params: z.object({ id: uuid }), body: resolveConflictRequestSchema, response: { 200: trackConflictSchema } },
      },
      async (request) => resolveConflict(db, clock, request.session!.operator.username, request.params.id, request.body),
    );
  };
}
