import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { auditRoutes } from './auditRoutes.js';
import { deviceAdminRoutes } from './devices/deviceAdminRoutes.js';
import { deviceRoutes } from './devices/deviceRoutes.js';
import { serveDashboard } from './http/dashboardAssets.js';
import { answerErrorsFromCatalogue } from './http/errorAnswers.js';
import { acceptJsonBodiesOnly } from './http/jsonBodies.js';
import { addSecurityHeaders } from './http/securityHeaders.js';
import { useZodSchemas } from './http/zodTypeProvider.js';
import { supportRoutes } from './support/supportRoutes.js';
import { licenseRoutes } from './licenses/licenseRoutes.js';
import { operatorRoutes } from './operators/operatorRoutes.js';
import type { ServerContext } from './serverContext.js';
import { repositoryRoutes } from './updates/repositoryRoutes.js';
import { rolloutRoutes } from './updates/rolloutRoutes.js';
import { telemetryAdminRoutes } from './telemetry/telemetryAdminRoutes.js';
import { telemetryRoutes } from './telemetry/telemetryRoutes.js';
import { trackRoutes } from './tracks/trackRoutes.js';

export interface BuildServerOptions extends ServerContext {
  /** Serve HTTPS itself (else plain HTTP behind a TLS proxy): PEM key and certificate. */
  https?: { key: string; cert: string };
  /** The built dashboard's folder; without it, `/` says the dashboard is not built. */
  dashboardDir?: string;
  /**
   * The TLS proxies' addresses or CIDR ranges (--trust-proxy): only a request arriving from one of
   * them has its X-Forwarded-For believed, so per-address throttling counts the real client.
   */
  trustProxy?: readonly string[];
  logger?: FastifyServerOptions['logger'];
}

/** Any body beyond a route's own limit is refused before it is read whole. */
const DEFAULT_BODY_LIMIT = 16 * 1024;

/** The fleet server's HTTP application: headsets' API, operators' API and the dashboard. Holds no state between requests. */
export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: DEFAULT_BODY_LIMIT,
    trustProxy: options.trustProxy && options.trustProxy.length > 0 ? [...options.trustProxy] : false,
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;
  useZodSchemas(app);
  acceptJsonBodiesOnly(app);
  answerErrorsFromCatalogue(app);
  addSecurityHeaders(app);
  const context: ServerContext = {
    db: options.db,
    clock: options.clock,
    passwords: options.passwords,
    secureCookies: options.secureCookies,
    telemetryRetentionDays: options.telemetryRetentionDays,
    throttleLimits: options.throttleLimits,
    licenseKey: options.licenseKey,
    blobs: options.blobs,
    supportRelay: options.supportRelay,
  };
  await app.register(deviceRoutes(context));
  await app.register(operatorRoutes(context));
  await app.register(deviceAdminRoutes(context));
  await app.register(auditRoutes(context));
  await app.register(telemetryRoutes(context));
  await app.register(telemetryAdminRoutes(context));
  await app.register(licenseRoutes(context));
  await app.register(supportRoutes(context));
  await app.register(repositoryRoutes(context));
  await app.register(rolloutRoutes(context));
  await app.register(trackRoutes(context));
  await serveDashboard(app, options.dashboardDir);
  return app;
}
