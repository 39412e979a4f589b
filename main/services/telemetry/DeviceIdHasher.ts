import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { SecretRegistrar, Unregister } from '../../../src/secrets/SecretRegistry.js';
import { registerKeyBytes } from '../secrets/registerKeyBytes.js';
import { readFileIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import { RetiredSigningSeeds } from './RetiredSigningSeeds.js';

const KEY_FILE = 'telemetry-id.key';
const RETIRED_DIR = 'telemetry-retired-signing';
/** How far back a record's week is looked for: the longest retention (395 days) and a margin. */
const LOOKBACK_WEEKS = 60;
const WEEK_MS = 7 * 86_400_000;

/**
 * The device id as telemetry carries it: HMAC-SHA256 of the device id and the current ISO week,
 * under a random key that never leaves the device (0600, in the state folder). Records of one week
 * link to each other, not across weeks; nobody without the key can tell which headset they are
 * from. A new key (opt-out of everything) unlinks what comes after from what went before.
 * The key and the signing seed of the week are registered as secrets (`secrets`) while held.
 */
export class DeviceIdHasher {
  private key: Buffer | undefined;
  private unregisterKey: Unregister | undefined;
  private seed: { bytes: Buffer; unregister: Unregister } | undefined;
  /** Week of each pseudonym under the current key, as found (cleared with the key). */
  private readonly weekOf = new Map<string, string>();
  readonly retired: RetiredSigningSeeds;

  constructor(
    private readonly stateDir: string,
    private readonly deviceId: () => string,
    private readonly now: () => Date = () => new Date(),
    private readonly secrets?: SecretRegistrar,
  ) {
    this.retired = new RetiredSigningSeeds(join(stateDir, RETIRED_DIR));
  }

  async load(): Promise<void> {
    await this.retired.load();
    if (this.secrets)
      for (const pseudonym of this.retired.pseudonyms())
        registerKeyBytes(this.secrets, this.retired.get(pseudonym)!, 'retired telemetry signing seed');
    const stored = await readFileIfExists(join(this.stateDir, KEY_FILE));
    if (stored && stored.length === 32) this.holdKey(stored);
    else await this.reset();
  }

  /** The pseudonymous id for now (32 hex characters). */
  current(): string {
    return this.pseudonymOfWeek(isoWeek(this.now()));
  }

  private pseudonymOfWeek(week: string): string {
    if (!this.key) throw new Error('DeviceIdHasher.load() first');
    return createHmac('sha256', this.key).update(`${this.deviceId()}\n${week}`).digest('hex').slice(0, 32);
  }

  /**
   * The signing seed of the week a record's pseudonym was made in: that week's (under the current
   * key, looked for up to LOOKBACK_WEEKS back and one ahead, for a clock that moved), or a retired
   * one kept across a key reset. Undefined when that key is gone: such a record is never signed
   * with another week's key.
   */
  signingSeedFor(pseudonym: string): Buffer | undefined {
    if (!this.key) throw new Error('DeviceIdHasher.load() first');
    let week = this.weekOf.get(pseudonym);
    const nowMs = this.now().getTime();
    for (let back = -1; !week && back <= LOOKBACK_WEEKS; back++) {
      const candidate = isoWeek(new Date(nowMs - back * WEEK_MS));
      if (this.pseudonymOfWeek(candidate) === pseudonym) week = candidate;
    }
    if (!week) return this.retired.get(pseudonym);
    this.weekOf.set(pseudonym, week);
    return this.seedOfWeek(this.key, week);
  }

  private seedOfWeek(key: Buffer, week: string): Buffer {
    return createHmac('sha256', key).update(`telemetry-signing\n${week}`).digest();
  }

  /**
   * The 32-byte Ed25519 seed of this week's telemetry signing key: derived from the same secret
   * key and the same week as the pseudonym, so it changes when the pseudonym does (each week, and
   * on reset) and nothing links it to the device identity key or to another week's.
   */
  signingSeed(): Buffer {
    if (!this.key) throw new Error('DeviceIdHasher.load() first');
    const seed = this.seedOfWeek(this.key, isoWeek(this.now()));
    this.holdSeed(seed);
    return seed;
  }

  /**
   * Replaces the key (crash-safe: the old key or the new one, never none). The signing seeds of
   * the pseudonyms in `queued` (records still to send, e.g. the deletion requests) are kept first,
   * so those records are signed by their own week's key, not the new key's.
   */
  async reset(queued: ReadonlySet<string> = new Set()): Promise<void> {
    if (this.key) {
      for (const pseudonym of queued) {
        const seed = this.signingSeedFor(pseudonym);
        if (!seed || this.retired.get(pseudonym)) continue;
        await this.retired.keep(pseudonym, seed);
        if (this.secrets) registerKeyBytes(this.secrets, seed, 'retired telemetry signing seed');
      }
    }
    const key = randomBytes(32);
    await writeFileAtomic(join(this.stateDir, KEY_FILE), key, { mode: 0o600 });
    this.holdKey(key);
  }

  private holdKey(key: Buffer): void {
    this.unregisterKey?.();
    this.key = key;
    this.weekOf.clear();
    this.unregisterKey = this.secrets ? registerKeyBytes(this.secrets, key, 'telemetry pseudonym key') : undefined;
    // The week's seed is registered before anything could print it, not at its first use.
    if (this.secrets) this.signingSeed();
  }

  /** The seed in use is registered; the previous week's (or key's) is let go when it changes. */
  private holdSeed(seed: Buffer): void {
    if (!this.secrets) return;
    if (this.seed?.bytes.equals(seed)) return;
    this.seed?.unregister();
    this.seed = { bytes: seed, unregister: registerKeyBytes(this.secrets, seed, 'telemetry signing seed') };
  }
}

/** ISO 8601 week of a date, e.g. 2026-W47 (weeks start on Monday; week 1 holds the first Thursday). */
export function isoWeek(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
