import { REDACTED } from '../telemetry/anonymize.js';
import { SecretMatcher } from './SecretMatcher.js';
import { secretForms } from './secretForms.js';

/** Removes what `register` added (once; later calls do nothing). */
export type Unregister = () => void;

/**
 * The port a capability uses to declare a secret it holds or is handed (a Wi-Fi password, a backup
 * passphrase, the PIN while it is entered, a key, a token): from then until the returned function
 * is called, the value is cut out of every log line, crash record, telemetry record, export and
 * journal line, in every form it takes there (see secretForms). Register a value as soon as it is
 * held, before anything could log it; unregister when it is no longer held.
 */
export interface SecretRegistrar {
  register(value: string, label: string): Unregister;
}

/** The port the redacting writers use. */
export interface SecretRedactor {
  /** Whether `text[from, to)` holds a registered secret in one of its forms (exact). */
  holds(text: string, from?: number, to?: number): boolean;
  /** The text with every registered secret, in every form, replaced by `[redacted]`. */
  redact(text: string): string;
}

/** Shorter than this, a value is not accepted: it would match any small number or word. */
export const MIN_SECRET_LENGTH = 4;
/** Shorter than this (a PIN), a value is cut out only where it stands alone (no letter or digit touching it). */
export const MIN_ANYWHERE_LENGTH = 8;

export class SecretTooShortError extends Error {
  constructor(
    readonly label: string,
    readonly length: number,
  ) {
    super(`secret "${label}" is ${length} characters long; the registry takes ${MIN_SECRET_LENGTH} or more`);
    this.name = 'SecretTooShortError';
  }
}

/**
 * The process's secrets, by value. The values live only in private fields: the registry prints,
 * serializes and inspects as a count, and nothing reads a value back out of it.
 */
export class SecretRegistry implements SecretRegistrar, SecretRedactor {
  readonly #entries = new Map<number, { value: string; label: string }>();
  #matcher = SecretMatcher.EMPTY;
  #next = 0;

  register(value: string, label: string): Unregister {
    if (value.length < MIN_SECRET_LENGTH) throw new SecretTooShortError(label, value.length);
    const id = this.#next++;
    this.#entries.set(id, { value, label });
    this.#rebuild();
    return () => {
      if (this.#entries.delete(id)) this.#rebuild();
    };
  }

  holds(text: string, from = 0, to = text.length): boolean {
    return this.#matcher.occursIn(text, from, to);
  }

  redact(text: string): string {
    return this.#matcher.redact(text, REDACTED);
  }

  /** How many values are registered (a value registered twice counts twice). */
  get size(): number {
    return this.#entries.size;
  }

  /** What is registered, by label only. */
  labels(): string[] {
    return [...this.#entries.values()].map((entry) => entry.label);
  }

  toJSON(): { secrets: number } {
    return { secrets: this.size };
  }

  toString(): string {
    return `SecretRegistry(${this.size} secrets)`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  #rebuild(): void {
    // A value registered by two owners is searched for once.
    const values = new Set([...this.#entries.values()].map((entry) => entry.value));
    this.#matcher = new SecretMatcher([...values].map((value) => ({ forms: secretForms(value), wholeWord: value.length < MIN_ANYWHERE_LENGTH })));
  }
}
