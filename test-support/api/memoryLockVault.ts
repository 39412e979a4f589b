import type { LockRecord, LockVault, PinHasher } from '../../src/lock/DeviceLock.js';

/** The fake device's lock record, in memory (headsetd keeps it in a file: main/services/lock/LockFile.ts). */
export class MemoryLockVault implements LockVault {
  writes = 0;

  constructor(public kept: LockRecord | 'unreadable' | undefined = undefined) {}

  read(): Promise<LockRecord | 'unreadable' | undefined> {
    return Promise.resolve(this.kept);
  }

  write(record: LockRecord | undefined): Promise<void> {
    this.writes++;
    this.kept = record;
    return Promise.resolve();
  }
}

/** A stand-in for Argon2id where speed matters more than secrecy (the fake device, policy tests): not a hash. */
export const testPinHasher: PinHasher = {
  hash: (pin) => Promise.resolve(`test$${pin}`),
  verify: (hash, pin) => Promise.resolve(hash === `test$${pin}`),
};
