import type { FastifyInstance } from 'fastify';
import { supportOfferAtCheckIn } from '../support/supportSessions.js';
import {
  DEVICE_API,
  challengeRequestSchema,
  challengeSchema,
  checkInRequestSchema,
  checkInResultSchema,
  registrationRequestSchema,
  registrationResultSchema,
} from '../../src/fleet/deviceApi.js';
import { FleetError } from '../../src/fleet/errors.js';
import type { ServerContext } from '../serverContext.js';
import { countEvent, uncount } from '../throttling/throttle.js';
import { throttleLimits } from '../throttling/throttleLimits.js';
import type { ZodTypeProvider } from '../http/zodTypeProvider.js';
import { issueChallenge } from './challenges.js';
import { updatesAtCheckIn } from '../updates/rolloutCheckIns.js';
import { recordCheckIn } from './checkIns.js';
import { registerDevice } from './registration.js';
import { authenticateSignedRequest } from './signedRequests.js';

// Registration bodies are a few hundred bytes; a check-in's inventory a few KiB.
const REGISTRATION_BODY_LIMIT = 4 * 1024;
const CHECK_IN_BODY_LIMIT = 64 * 1024;

/** The API headsets call (seed 002 §11.3). */
export function deviceRoutes(context: ServerContext) {
  const { db, clock } = context;
  const limits = throttleLimits(context.throttleLimits);
  return async (app: FastifyInstance) => {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.post(
      DEVICE_API.challenges,
      { bodyLimit: REGISTRATION_BODY_LIMIT, schema: { body: challengeRequestSchema, response: { 200: challengeSchema } } },
      async (request) => {
        const verdict = await countEvent(db, clock, [
          { rule: limits.challengePerAddress, key: request.ip },
          { rule: limits.challengePerDevice, key: request.body.deviceId.toLowerCase() },
        ]);
        if (!verdict.allowed) {
          // Only challenges given count: a refused request does not push the wait further.
          await uncount(db, verdict.counted);
          throw new FleetError('CHALLENGE_THROTTLED', undefined, { retryAfterSeconds: verdict.retryAfterSeconds });
        }
        return issueChallenge(db, clock, request.body.deviceId);
      },
    );

    routes.post(
      DEVICE_API.registrations,
      { bodyLimit: REGISTRATION_BODY_LIMIT, schema: { body: registrationRequestSchema, response: { 200: registrationResultSchema } } },
      async (request) => registerDevice(db, clock, request.body),
    );

    routes.post(
      DEVICE_API.checkIns,
      {
        bodyLimit: CHECK_IN_BODY_LIMIT,
        // The signature is checked before the body's schema: an unsigned request learns nothing about it.
        preValidation: async (request) => {
          request.deviceId = await authenticateSignedRequest(db, clock, {
            method: request.method,
            url: request.url,
            headers: request.headers,
            body: request.rawBody,
          });
        },
        schema: { body: checkInRequestSchema, response: { 200: checkInResultSchema } },
      },
      async (request) => {
        const answer = await recordCheckIn(db, clock, request.deviceId!, request.body.inventory);
        const update = await updatesAtCheckIn(db, clock, request.deviceId!, request.body.inventory, request.body.updateReports ?? []);
        const support = await supportOfferAtCheckIn(db, clock, request.deviceId!);
        return { ...answer, update, support };
      },
    );
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The headset a signed request came from, once its signature is checked. */
    deviceId?: string;
  }
}
