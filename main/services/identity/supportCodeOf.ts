import { createHash } from 'node:crypto';
import { supportCodeFromDigest, supportCodeInput } from '../../../src/identity/supportCode.js';

/** The support code of a device id (src/identity/supportCode.ts), with Node's SHA-256. */
export function supportCodeOf(deviceId: string): string {
  return supportCodeFromDigest(createHash('sha256').update(supportCodeInput(deviceId)).digest());
}
