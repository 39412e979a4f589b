import type { SecretRegistrar, Unregister } from '../../../src/secrets/SecretRegistry.js';

/**
 * The passphrase the wearer chose for a backup, held only for the call that uses it. The value is in
 * a private field: the object prints, serializes and inspects as "[passphrase]", so a log line or an
 * error detail that carries it by mistake carries nothing. `bytes()` is for the pipe to restic only.
 */
export class Passphrase {
  readonly #value: string;

  private constructor(value: string) {
    this.#value = value;
  }

  /**
   * Holds `value` for one call: registered in the secret registry (cut out of every output) until
   * `release` runs. The caller releases in a `finally`.
   */
  static hold(value: string, secrets: SecretRegistrar, label = 'backup passphrase'): { passphrase: Passphrase; release: Unregister } {
    const release = secrets.register(value, label);
    return { passphrase: new Passphrase(value), release };
  }

  /** What restic reads from its password file descriptor (no trailing newline: restic would strip one, a file could hold one). */
  bytes(): Buffer {
    return Buffer.from(this.#value, 'utf8');
  }

  toString(): string {
    return '[passphrase]';
  }

  toJSON(): string {
    return '[passphrase]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[passphrase]';
  }
}
