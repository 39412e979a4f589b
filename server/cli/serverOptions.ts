import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { parseBlobStoreLocation, type BlobStoreLocation } from '../blobs/blobStoreLocation.js';

export interface ServerOptions {
  /** The embedded database's folder (PGlite), unless `database` is given. */
  dataDir: string;
  /** The blob store, a folder or an S3-compatible bucket: update bundles and repository files (several processes may share it). */
  blobs: BlobStoreLocation;
  /** A PostgreSQL connection string. */
  database?: string;
  host: string;
  port: number;
  /** Mark session cookies Secure: the dashboard is reached over HTTPS (through a TLS proxy). */
  secureCookies: boolean;
  /** Give this operator a new one-time password, print it, and go on. */
  resetPassword?: string;
  /** Days telemetry is kept at most (each metric's own retention may be shorter). */
  telemetryRetentionDays: number;
  /** The vendor's licence-signing key file (license.key): licences are issued and revoked only with it. */
  licenseKey?: string;
  /** The TLS proxies whose X-Forwarded-For is believed (addresses or CIDR ranges); none by default. */
  trustProxy: string[];
  /** The support relay's file (JSON): support sessions are handed out with it. */
  supportRelay?: string;
  help: boolean;
}

export const USAGE = `Usage: npm run server -- [options]   (or node dist/fleet/server.mjs [options])

  --data DIR              the embedded database's folder (PGlite; default ./.fleet)
  --blobs DIR|s3://BUCKET[/PREFIX]?endpoint=URL&region=NAME
                          the blob store: update bundles and repository files, in a folder
                          (default ./.fleet-blobs) or an S3-compatible bucket (endpoint for
                          MinIO and the like; keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY);
                          server processes sharing a database share it
  --database URL          use PostgreSQL instead: postgres://user@host:port/database
                          (a password goes in PGPASSWORD or ~/.pgpass, never on the command line)
  --host ADDRESS          address to listen on (default 127.0.0.1)
  --port N                port to listen on (default 8400; 0 picks a free one)
  --secure-cookies        session cookies only over HTTPS (behind a TLS proxy)
  --reset-password USER   give USER a new one-time password and print it
  --telemetry-retention-days N
                          keep headsets' telemetry at most N days (default 395, the longest
                          any metric asks for; a metric's own shorter retention still applies)
  --license-key FILE      the vendor's licence-signing key file (headsetctl license keygen's
                          license.key, mode 0600): issue and revoke licences, sign revocation lists
  --trust-proxy ADDRESSES the TLS proxies in front of the server, comma-separated addresses
                          or CIDR ranges (127.0.0.1,10.0.0.0/8): X-Forwarded-For is believed
                          only from them, so login and challenge limits count the real client
  --support-relay FILE    the support relay headsets dial out to, as JSON (name, host, port, user,
                          hostKey, remotePort, viewers: docs/support.md): support operators open
                          support sessions, handed to the headset with its next check-in
  --help                  this text
`;

/** Reads the server's command line; throws with a message for the user on a wrong one. */
export function parseServerOptions(argv: string[]): ServerOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      data: { type: 'string', default: '.fleet' },
      blobs: { type: 'string', default: '.fleet-blobs' },
      database: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8400' },
      'secure-cookies': { type: 'boolean', default: false },
      'reset-password': { type: 'string' },
      'telemetry-retention-days': { type: 'string', default: '395' },
      'license-key': { type: 'string' },
      'trust-proxy': { type: 'string' },
      'support-relay': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port takes a port number, not "${values.port}".`);
  if (values.database !== undefined) checkDatabaseUrl(values.database);
  const retention = Number(values['telemetry-retention-days']);
  if (!Number.isInteger(retention) || retention < 1 || retention > 3650)
    throw new Error(`--telemetry-retention-days takes a number of days from 1 to 3650, not "${values['telemetry-retention-days']}".`);
  return {
    dataDir: values.data!,
    blobs: parseBlobStoreLocation(values.blobs!),
    database: values.database,
    host: values.host!,
    port,
    secureCookies: values['secure-cookies']!,
    resetPassword: values['reset-password'],
    telemetryRetentionDays: retention,
    licenseKey: values['license-key'],
    trustProxy: values['trust-proxy'] === undefined ? [] : parseTrustedProxies(values['trust-proxy']),
    supportRelay: values['support-relay'],
    help: values.help!,
  };
}

/** A PostgreSQL URL without a password: the command line is readable by every user of the machine. */
function checkDatabaseUrl(text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('--database takes a URL: postgres://user@host:port/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new Error('--database takes a postgres:// URL.');
  if (url.password)
    throw new Error('--database must not carry a password (the command line is visible to every user): put it in PGPASSWORD or ~/.pgpass.');
}

/** Addresses or CIDR ranges; a host name is refused (it would be looked up on every request, or not at all). */
export function parseTrustedProxies(text: string): string[] {
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 4 ? 32 : 128;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !validBits || extra !== undefined)
      throw new Error(`--trust-proxy takes comma-separated IP addresses or CIDR ranges (127.0.0.1,10.0.0.0/8), not "${entry}".`);
  }
  return entries;
}
