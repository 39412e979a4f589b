import type { BlobStore } from './blobs/BlobStore.js';
import type { Clock } from './clock.js';
import type { Database } from './db/Database.js';
import type { PasswordHasher } from './operators/passwords.js';
import type { LicenseSigningKey } from './licenses/licenseKey.js';
import type { ThrottleLimits } from './throttling/throttleLimits.js';
import type { SupportRelayOffer } from '../src/fleet/supportApi.js';

/** What every route needs; nothing here holds per-request state (that is all in the database). */
export interface ServerContext {
  db: Database;
  clock: Clock;
  passwords: PasswordHasher;
  /** Mark session cookies Secure (the server is reached over HTTPS, possibly through a proxy). */
  secureCookies: boolean;
  /** Days telemetry is kept at most (each metric's own retention may be shorter); default 395. */
  telemetryRetentionDays?: number;
  /** Login and challenge limits (defaults in throttleLimits.ts). */
  throttleLimits?: Partial<ThrottleLimits>;
  /** The vendor's licence-signing key (--license-key); without it licences are neither issued nor revoked. */
  licenseKey?: LicenseSigningKey;
  /** Bundles and repository files (--blobs); without it the update repository answers BLOB_STORE_UNAVAILABLE. */
  blobs?: BlobStore;
  /** The relay support sessions are handed out with (--support-relay); without it none can be opened. */
  supportRelay?: SupportRelayOffer;
}
