import { randomBytes } from 'node:crypto';
import sodium from 'sodium-native';
import { FleetError } from '../../src/fleet/errors.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../src/fleet/operatorApi.js';

/** Hashes and checks operator passwords. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export type PasswordCost = 'interactive' | 'minimum';

/**
 * Argon2id through libsodium's `crypto_pwhash_str` (salt and cost in the string), on the thread pool
 * so a login does not stall other requests. `interactive` is libsodium's recommended cost for logins
 * (64 MiB, 2 passes); `minimum` is for tests only.
 */
export function argon2idHasher(cost: PasswordCost = 'interactive'): PasswordHasher {
  const opslimit = cost === 'interactive' ? sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE : sodium.crypto_pwhash_OPSLIMIT_MIN;
  const memlimit = cost === 'interactive' ? sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE : sodium.crypto_pwhash_MEMLIMIT_MIN;
  return {
    async hash(password) {
      const out = Buffer.alloc(sodium.crypto_pwhash_STRBYTES);
      await sodium.crypto_pwhash_str_async(out, Buffer.from(password, 'utf8'), opslimit, memlimit);
      return out.toString('utf8').replace(/\0+$/, '');
    },
    async verify(hash, password) {
      if (!hash.startsWith('$argon2id$')) return false;
      const stored = Buffer.alloc(sodium.crypto_pwhash_STRBYTES);
      stored.write(hash, 'utf8');
      return sodium.crypto_pwhash_str_verify_async(stored, Buffer.from(password, 'utf8'));
    },
  };
}

/** Refuses a new password that is too short, too long, or the current one. */
export function checkNewPassword(newPassword: string, currentPassword: string): void {
  const length = [...newPassword].length;
  if (length < PASSWORD_MIN_LENGTH) throw new FleetError('PASSWORD_TOO_WEAK', `A password has at least ${PASSWORD_MIN_LENGTH} characters.`);
  if (length > PASSWORD_MAX_LENGTH) throw new FleetError('PASSWORD_TOO_WEAK', `A password has at most ${PASSWORD_MAX_LENGTH} characters.`);
  if (newPassword === currentPassword) throw new FleetError('PASSWORD_TOO_WEAK', 'The new password must differ from the current one.');
}

// No 0/O, 1/l/I: read off a terminal and typed by a person.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A one-time password: 20 random characters (about 99 bits) in groups of 5. */
export function oneTimePassword(): string {
  const chars: string[] = [];
  while (chars.length < 20) {
    for (const byte of randomBytes(32)) {
      // Rejection sampling: no bias towards the first letters.
      if (byte < 256 - (256 % ALPHABET.length) && chars.length < 20) chars.push(ALPHABET[byte % ALPHABET.length]!);
    }
  }
  return chars.join('').replace(/(.{5})(?!$)/g, '$1-');
}
