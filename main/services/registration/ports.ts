import type { BootStatus, HealthSnapshot, IdentityRecord, SystemInfo } from '../../../src/api/contract.js';
import type { UpdateOffer, UpdateReport } from '../../../src/fleet/updateApi.js';

/** The headset's identity as registration needs it: who it is, and signatures by its key (never the key). */
export interface IdentitySigner {
  get(): IdentityRecord;
  /** Detached Ed25519 signature of `message` by the device key. */
  sign(message: Uint8Array): Uint8Array;
}

/** What a check-in reports, read from the other capabilities as their API answers it. */
export interface InventoryFacts {
  /** `system.info`, with the component versions. */
  info(): Promise<SystemInfo>;
  boot(): BootStatus | undefined;
  /** The latest health snapshot; undefined before the first. */
  health(): HealthSnapshot | undefined;
}

/** The update capability's side of fleet rollouts: reports for the next check-in, and what the answer offered. */
export interface RolloutReports {
  pendingReports(): UpdateReport[];
  /** The check-in carrying `delivered` was answered with this offer (null: none now). */
  answered(offer: UpdateOffer | null, delivered: readonly UpdateReport[]): Promise<void>;
}
