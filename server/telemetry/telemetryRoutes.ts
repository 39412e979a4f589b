import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FleetError } from '../../src/fleet/errors.js';
import { readLogsExport, readMetricsExport, type ReadResult } from '../../src/fleet/otlpExportReader.js';
import {
  TELEMETRY_API,
  TELEMETRY_MAX_BODY_BYTES,
  TELEMETRY_MAX_RECORDS,
  exportResponseSchema,
  type ExportLogsRequest,
  type ExportMetricsRequest,
  type ExportResponse,
} from '../../src/fleet/telemetryApi.js';
import type { ZodTypeProvider } from '../http/zodTypeProvider.js';
import type { ServerContext } from '../serverContext.js';
import { decodeExportBody } from './otlpBodies.js';
import { logRows, pointRows, recordCount, type Rows } from './otlpRecords.js';
import { DayPartitions } from './partitions.js';
import { TelemetryStore } from './telemetryStore.js';
import { verifyTelemetrySignature, type TelemetrySignature } from './telemetrySignature.js';

/** The server's default telemetry retention: the longest any metric of the registry asks for. */
export const DEFAULT_TELEMETRY_RETENTION_DAYS = 395;

declare module 'fastify' {
  interface FastifyRequest {
    /** An export's checked signature. */
    telemetrySignature?: TelemetrySignature;
  }
}

/**
 * OTLP/HTTP JSON from headsets (docs/telemetry-forwarding.md): `POST /v1/logs` and `/v1/metrics`.
 * The signature is checked on the body as sent before anything else is read of it; then it is
 * gunzipped, parsed and validated, and its records stored once each. Answers are OTLP responses:
 * `{}`, or a partial success counting the records refused.
 */
export function telemetryRoutes(context: ServerContext) {
  const { db, clock } = context;
  const retentionDays = context.telemetryRetentionDays ?? DEFAULT_TELEMETRY_RETENTION_DAYS;
  const store = new TelemetryStore(db, clock, new DayPartitions(db));

  return async (app: FastifyInstance) => {
    // In this plugin only: the body stays bytes until its signature is checked (it may be gzip).
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      request.rawBody = body as Buffer;
      done(null, body);
    });
    // The body is checked by the export readers (exactly the schemas' rules, several times faster).
    const verifyThenRead = (read: (raw: unknown) => ReadResult<unknown>) => async (request: FastifyRequest) => {
      const raw = request.rawBody ?? Buffer.alloc(0);
      request.telemetrySignature = verifyTelemetrySignature(clock, {
        method: request.method,
        path: request.url.split('?')[0]!,
        headers: request.headers,
        body: raw,
      });
      const result = read(await decodeExportBody(raw, request.headers['content-encoding']));
      if (!result.ok) throw new FleetError('INVALID_INPUT', undefined, { fields: result.issues.map((issue) => ({ part: 'body', ...issue })) });
      request.body = result.value;
    };
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.post(
      TELEMETRY_API.logs,
      { bodyLimit: TELEMETRY_MAX_BODY_BYTES, preValidation: verifyThenRead(readLogsExport), schema: { response: { 200: exportResponseSchema } } },
      async (request) => {
        const body = request.body as ExportLogsRequest;
        if (recordCount(body) > TELEMETRY_MAX_RECORDS) throw new FleetError('TELEMETRY_TOO_MANY_RECORDS');
        const rows = logRows(body, { now: clock.now(), retentionDays });
        const stored = await store.storeLogs(request.telemetrySignature!, rows.rows);
        request.log.debug({ inserted: stored.inserted, duplicates: stored.duplicates, rejected: rows.rejected }, 'telemetry logs');
        return answer(rows, 'rejectedLogRecords');
      },
    );

    routes.post(
      TELEMETRY_API.metrics,
      { bodyLimit: TELEMETRY_MAX_BODY_BYTES, preValidation: verifyThenRead(readMetricsExport), schema: { response: { 200: exportResponseSchema } } },
      async (request) => {
        const body = request.body as ExportMetricsRequest;
        if (recordCount(body) > TELEMETRY_MAX_RECORDS) throw new FleetError('TELEMETRY_TOO_MANY_RECORDS');
        const rows = pointRows(body, { now: clock.now(), retentionDays });
        const stored = await store.storePoints(request.telemetrySignature!, rows.rows);
        request.log.debug({ inserted: stored.inserted, duplicates: stored.duplicates, rejected: rows.rejected }, 'telemetry metrics');
        return answer(rows, 'rejectedDataPoints');
      },
    );
  };
}

function answer(rows: Rows<unknown>, key: 'rejectedLogRecords' | 'rejectedDataPoints'): ExportResponse {
  if (rows.rejected === 0) return {};
  return { partialSuccess: { [key]: String(rows.rejected), errorMessage: `refused: ${rows.reasons.join('; ')}` } };
}
