import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeBlobStoreLocation, openBlobStore } from './blobs/blobStoreLocation.js';
import { buildServer } from './buildServer.js';
import { systemClock } from './clock.js';
import { USAGE, parseServerOptions, type ServerOptions } from './cli/serverOptions.js';
import type { Database } from './db/Database.js';
import { loadMigrations, migrate } from './db/migrations.js';
import { PgliteDatabase } from './db/PgliteDatabase.js';
import { PostgresDatabase } from './db/PostgresDatabase.js';
import { startPeriodicPurge } from './maintenance/purgeExpired.js';
import { DayPartitions } from './telemetry/partitions.js';
import { FIRST_ADMIN, createFirstAdmin, resetPassword } from './operators/accounts.js';
import { argon2idHasher } from './operators/passwords.js';
import { loadLicenseKey } from './licenses/licenseKey.js';
import { loadSupportRelay } from './support/supportRelayFile.js';
import type { SupportRelayOffer } from '../src/fleet/supportApi.js';

/**
 * `npm run server`: the fleet server on PGlite in ./.fleet/ (or PostgreSQL with --database), its
 * migrations applied, the dashboard served. Built to dist/fleet/server.mjs beside migrations/ and
 * dashboard/; run from the sources, migrations/ is beside this file too.
 */
const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  let options: ServerOptions;
  try {
    options = parseServerOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }

  let supportRelay: SupportRelayOffer | undefined;
  try {
    supportRelay = options.supportRelay ? await loadSupportRelay(options.supportRelay) : undefined;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const db = await openDatabase(options);
  await migrate(db, await loadMigrations(join(here, 'migrations')));
  const passwords = argon2idHasher('interactive');
  const firstAdminPassword = await createFirstAdmin(db, passwords, systemClock);
  const resetUser = options.resetPassword;
  const resetUserPassword = resetUser ? await resetPassword(db, passwords, systemClock, resetUser) : undefined;

  const dashboardDir = join(here, 'dashboard');
  const app = await buildServer({
    db,
    clock: systemClock,
    passwords,
    secureCookies: options.secureCookies,
    telemetryRetentionDays: options.telemetryRetentionDays,
    licenseKey: options.licenseKey ? await loadLicenseKey(options.licenseKey) : undefined,
    // A folder is made at the first upload: a server that never hosts updates leaves none behind.
    blobs: openBlobStore(options.blobs),
    trustProxy: options.trustProxy,
    supportRelay,
    dashboardDir: existsSync(join(dashboardDir, 'index.html')) ? dashboardDir : undefined,
    logger: { level: process.env.FLEET_LOG_LEVEL ?? 'info' },
  });
  const address = await app.listen({ host: options.host, port: options.port });
  const purge = startPeriodicPurge({
    db,
    clock: systemClock,
    partitions: new DayPartitions(db),
    retentionDays: options.telemetryRetentionDays,
    onReport: (report) => {
      const removed = Object.entries(report).filter(([, n]) => (Array.isArray(n) ? n.length > 0 : n > 0));
      if (removed.length > 0) app.log.info({ purged: Object.fromEntries(removed) }, 'expired data purged');
    },
    onError: (error) => app.log.warn({ err: error }, 'purging expired data failed; trying again later'),
  });

  const url = address.endsWith('/') ? address : `${address}/`;
  process.stdout.write(
    `Fleet server: ${url} (${db.engine === 'pglite' ? `PGlite in ${resolve(options.dataDir)}` : 'PostgreSQL'}; blobs in ${describeBlobStoreLocation(options.blobs)})\n`,
  );
  // The one place a password is ever shown: once, to whoever started the server; never logged.
  if (firstAdminPassword) process.stdout.write(`First admin: ${FIRST_ADMIN}, one-time password: ${firstAdminPassword} (change it at first login)\n`);
  if (resetUser && resetUserPassword)
    process.stdout.write(`Operator ${resetUser}: new one-time password: ${resetUserPassword} (change it at first login)\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await purge.stop();
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

async function openDatabase(options: ServerOptions): Promise<Database> {
  if (options.database) return PostgresDatabase.open({ connectionString: options.database });
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  return PgliteDatabase.open(resolve(options.dataDir));
}

main().catch((error: unknown) => {
  process.stderr.write(`fleet server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
