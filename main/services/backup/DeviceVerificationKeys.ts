import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretRegistrar } from '../../../src/secrets/SecretRegistry.js';
import { ensureDirectory, writeFileAtomic } from '../storage/atomicFile.js';
import { Passphrase } from './Passphrase.js';

/**
 * A random key per destination that this headset adds to the repository (a second restic key) so it
 * can verify its backups on a schedule without the wearer's passphrase, which is never stored. It is
 * kept on the data partition (encrypted at rest, erased by a reset with the data it would give
 * access to): it opens nothing a thief of the headset could not read on the headset itself, and a
 * stick or a cloud copy alone still needs the passphrase.
 */
export class DeviceVerificationKeys {
  constructor(
    private readonly dir: string,
    private readonly secrets: SecretRegistrar,
  ) {}

  /** The key for `destination`, held (registered as a secret) until `release`; undefined when none was made. */
  async hold(destination: string): Promise<{ passphrase: Passphrase; release: () => void } | undefined> {
    const text = await readFile(this.#path(destination), 'utf8').catch(() => undefined);
    if (!text?.trim()) return undefined;
    return Passphrase.hold(text.trim(), this.secrets, `backup verification key (${destination})`);
  }

  /** A new key for `destination` (replacing any), held until `release`. */
  async create(destination: string): Promise<{ passphrase: Passphrase; release: () => void }> {
    const value = randomBytes(32).toString('hex');
    const held = Passphrase.hold(value, this.secrets, `backup verification key (${destination})`);
    await ensureDirectory(this.dir);
    await writeFileAtomic(this.#path(destination), value, { mode: 0o600 });
    return held;
  }

  #path(destination: string): string {
    return join(this.dir, `${destination}.key`);
  }
}
