import type { Clock } from './clock.js';
import type { Database } from './db/Database.js';
import type { PasswordHasher } from './operators/passwords.js';

/** What every route needs; nothing here holds per-request state (that is all in the database). */
export interface ServerContext {
  db: Database;
  clock: Clock;
  passwords: PasswordHasher;
  /** Mark session cookies Secure (the server is reached over HTTPS, possibly through a proxy). */
  secureCookies: boolean;
}
