import type { FastifyInstance } from 'fastify';
import { FleetError } from '../../src/fleet/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's bytes as received: what a signed request's body hash covers. */
    rawBody?: Buffer;
  }
}

/** The only bodies the server reads: JSON, kept as bytes too (signed requests hash them). */
export function acceptJsonBodiesOnly(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    request.rawBody = bytes;
    try {
      done(null, JSON.parse(bytes.toString('utf8')));
    } catch {
      done(new FleetError('MALFORMED_JSON'), undefined);
    }
  });
}
