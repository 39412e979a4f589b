import sodium from 'sodium-native';
import type { PinHasher } from '../../../src/lock/DeviceLock.js';

export interface Argon2idCost {
  /** Passes over memory (libsodium's opslimit). */
  ops: number;
  /** Bytes of memory (libsodium's memlimit). */
  memoryBytes: number;
}

/** libsodium's interactive cost: 2 passes over 64 MiB, a few hundred ms on a headset. */
export const INTERACTIVE_COST: Argon2idCost = {
  ops: sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE,
  memoryBytes: sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE,
};

/**
 * The PIN as an Argon2id hash (sodium-native's crypto_pwhash_str: a random salt and the cost are
 * in the string). Hashing and checking run on libuv's thread pool, so headsetd keeps answering
 * meanwhile. The PIN's bytes are zeroed once used.
 */
export class Argon2idPinHasher implements PinHasher {
  constructor(private readonly cost: Argon2idCost = INTERACTIVE_COST) {}

  async hash(pin: string): Promise<string> {
    const out = Buffer.alloc(sodium.crypto_pwhash_STRBYTES);
    const password = Buffer.from(pin, 'utf8');
    try {
      await sodium.crypto_pwhash_str_async(out, password, this.cost.ops, this.cost.memoryBytes);
    } finally {
      sodium.sodium_memzero(password);
    }
    // A NUL-terminated string in a fixed-size buffer.
    return out.subarray(0, out.indexOf(0)).toString('ascii');
  }

  async verify(hash: string, pin: string): Promise<boolean> {
    const stored = Buffer.alloc(sodium.crypto_pwhash_STRBYTES);
    if (Buffer.byteLength(hash, 'ascii') >= stored.length || !hash.startsWith(sodium.crypto_pwhash_STRPREFIX)) return false;
    stored.write(hash, 'ascii');
    const password = Buffer.from(pin, 'utf8');
    try {
      return await sodium.crypto_pwhash_str_verify_async(stored, password);
    } finally {
      sodium.sodium_memzero(password);
    }
  }
}
