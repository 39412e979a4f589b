import type { UserDataClassId } from './userDataClasses.js';

/**
 * Which class folders the simulated headset keeps encrypted under their class key: what the wearer's
 * profile and the apps write there goes through EncryptedClassFiles (no headsetd service writes
 * them). The services' own files (logs, the telemetry outbox, the JSON state files, saved networks)
 * stay plaintext on purpose and a wipe overwrites then deletes them (docs/reset.md says why); the
 * sanitization record says which method each class got, from the bytes it found. The canary test
 * (secureWipe.canary.test.ts) checks this list against the bytes on disk.
 */
export const ENCRYPTED_LOCATIONS: ReadonlyArray<{ classId: UserDataClassId; path: string }> = [
  { classId: 'profile', path: 'profile/' },
  { classId: 'apps', path: 'apps/' },
];
