import type { IdentityRecord } from '../../../src/api/contract.js';
import type { identityCalls } from '../../../src/api/contract/identity.js';
import type { SecretRegistrar } from '../../../src/secrets/SecretRegistry.js';
import type { Capability, HandlersOf } from '../capability.js';
import { IdentityService } from './IdentityService.js';
import { supportCodeOf } from './supportCodeOf.js';
import type { HardwareIdSource } from './ports.js';

/** The headset's identity as the other capabilities read it (loaded before any of them starts). */
export interface IdentityReader {
  get(): IdentityRecord;
}

/** The identity with signatures by its key (the key itself never leaves IdentityService): what registration signs with. */
export interface IdentitySigning extends IdentityReader {
  sign(message: Uint8Array): Uint8Array;
}

/** The device id and its Ed25519 key, kept where a factory reset does not reach, and the support code (identity.get). */
export function identityCapability(needs: { dir: string; hardwareId: HardwareIdSource; secrets?: SecretRegistrar }): Capability<IdentitySigning> {
  // The private key's text forms are registered as secrets while held.
  const identity = new IdentityService(needs.dir, needs.hardwareId, needs.secrets);
  const handlers: HandlersOf<typeof identityCalls> = {
    'identity.get': () => {
      const record = identity.get();
      return { ...record, supportCode: supportCodeOf(record.deviceId) };
    },
  };
  return {
    provides: identity,
    handlers,
    start: async () => {
      await identity.load();
    },
  };
}
