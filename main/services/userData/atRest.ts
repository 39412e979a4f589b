import type { UserDataClassId } from './userDataClasses.js';

/**
 * Which class folders the simulated headset writes encrypted (through EncryptedClassFiles) today.
 * Every other location is still written in plaintext by its service (logs, the telemetry outbox,
 * the JSON state files of lock, privacy, update and alerts, saved networks), and a wipe erases those
 * by overwriting then deleting; the sanitization record says which method each class got, from
 * the bytes it found. Moving a writer to EncryptedClassFiles is adding its location here; the
 * canary test (secureWipe.canary.test.ts) checks this list against the bytes on disk.
 */
export const ENCRYPTED_LOCATIONS: ReadonlyArray<{ classId: UserDataClassId; path: string }> = [
  { classId: 'profile', path: 'profile/' },
  { classId: 'apps', path: 'apps/' },
];
