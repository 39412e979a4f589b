import { join } from 'node:path';
import type { lockCalls, lockEvents } from '../../../src/api/contract/lock.js';
import type { ScopeProvider } from '../../../src/api/router.js';
import type { PinConfirmation } from '../../../src/reset/resetHandlers.js';
import { DeviceLock } from '../../../src/lock/DeviceLock.js';
import { lockHandlers } from '../../../src/lock/lockHandlers.js';
import type { SecretRegistrar } from '../../../src/secrets/SecretRegistry.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { Argon2idPinHasher, type Argon2idCost } from './Argon2idPinHasher.js';
import { LockFile } from './LockFile.js';

/** Idle minutes that end an unlock session. */
export const DEFAULT_IDLE_MINUTES = 5;

export interface LockNeeds {
  /** headsetd's state on the data partition: a factory reset clears the PIN with the wearer's data, a rollback leaves it. */
  stateDir: string;
  secrets: SecretRegistrar;
  log: SubsystemLogger;
  idleMinutes?: number;
  /** Argon2id's cost (default: libsodium's interactive one). */
  cost?: Argon2idCost;
}

export const lockFilePath = (stateDir: string) => join(stateDir, 'lock.json');

/**
 * The device lock (lock.status, set, unlock, lock, change, remove; lock.changed): the wearer's PIN
 * as an Argon2id hash in `lock.json`, and the `unlocked` scope it grants a connection while its
 * unlock session lives, which the router asks for (`provides.scopes`).
 */
export function lockCapability(needs: LockNeeds): Capability<{ scopes: ScopeProvider; pin: PinConfirmation }> {
  const file = new LockFile(lockFilePath(needs.stateDir), (reason) =>
    needs.log.error(`the lock file ${reason}`, { file: lockFilePath(needs.stateDir) }),
  );
  const lock = new DeviceLock({
    vault: file,
    hasher: new Argon2idPinHasher(needs.cost),
    idleMs: (needs.idleMinutes ?? DEFAULT_IDLE_MINUTES) * 60_000,
    secrets: needs.secrets,
    log: needs.log,
  });
  const handlers: HandlersOf<typeof lockCalls> = lockHandlers(lock);
  const events: EventsOf<typeof lockEvents> = { 'lock.changed': lock.state };
  // `pin`: a wipe asks for the PIN again when it is confirmed, counted as an unlock (src/reset/resetHandlers.ts).
  return { provides: { scopes: lock, pin: lock }, handlers, events, start: () => lock.load() };
}
