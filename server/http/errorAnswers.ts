import type { FastifyError, FastifyInstance } from 'fastify';
import { FleetError } from '../../src/fleet/errors.js';
import { BlobStoreError } from '../blobs/BlobStore.js';
import { isConnectionError } from '../db/connectionErrors.js';

/** Every failure leaves as `{ code, message, details? }` with the catalogue's status; the unexpected as INTERNAL. */
export function answerErrorsFromCatalogue(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const fleetError = toFleetError(error);
    if (fleetError.code === 'INTERNAL') request.log.error({ err: error }, 'request failed');
    else if (fleetError.code === 'DATABASE_UNAVAILABLE') request.log.warn({ err: error }, 'database unavailable');
    else if (fleetError.code === 'BLOB_STORE_UNAVAILABLE') request.log.warn({ err: error }, 'blob store failed');
    // A refusal that says when to come back (throttling, a skewed clock) says it the HTTP way too.
    const retryAfter = (fleetError.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (typeof retryAfter === 'number' && retryAfter > 0) void reply.header('retry-after', String(Math.ceil(retryAfter)));
    void reply.status(fleetError.status).send(fleetError.toBody());
  });
  app.setNotFoundHandler((_request, reply) => {
    const notFound = new FleetError('NOT_FOUND');
    void reply.status(notFound.status).send(notFound.toBody());
  });
}

function toFleetError(error: FastifyError): FleetError {
  if (error instanceof FleetError) return error;
  if (error instanceof BlobStoreError) return new FleetError('BLOB_STORE_UNAVAILABLE');
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new FleetError('BODY_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new FleetError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new FleetError('MALFORMED_JSON');
  }
  if (isConnectionError(error)) return new FleetError('DATABASE_UNAVAILABLE');
  return new FleetError('INTERNAL');
}
