import { cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDirectory, fsyncDirectory, syncTree } from '../storage/atomicFile.js';

/**
 * Copies of the user's data and configuration taken before an update, one per version that ran,
 * restored when the headset goes back to that version: a system that migrated the data forward
 * must not leave the older one data it cannot read. headsetd's own state (the install journal,
 * the history, the snapshots themselves) lives in `keep` and is never copied or restored.
 */
export class DataSnapshots {
  constructor(
    private readonly dataDir: string,
    private readonly snapshotsDir: string,
    /** Entries of dataDir that are not user data. */
    private readonly keep: readonly string[],
  ) {}

  /** Replaces the snapshot for `version` with the data as it is now (written beside, then renamed). */
  async take(version: string): Promise<void> {
    await ensureDirectory(this.snapshotsDir);
    const target = this.path(version);
    const temporary = `${target}.taking`;
    await rm(temporary, { recursive: true, force: true });
    await mkdir(temporary);
    for (const entry of await this.userEntries(this.dataDir))
      await cp(join(this.dataDir, entry), join(temporary, entry), { recursive: true, preserveTimestamps: true });
    // The copy on the medium before the rename publishes it: a cut must not leave a hollow snapshot.
    await syncTree(temporary);
    await rm(`${target}.old`, { recursive: true, force: true });
    await rename(target, `${target}.old`).catch(() => undefined);
    await rename(temporary, target);
    await rm(`${target}.old`, { recursive: true, force: true });
    await fsyncDirectory(this.snapshotsDir);
  }

  async has(version: string): Promise<boolean> {
    return (await readdir(this.snapshotsDir).catch(() => [] as string[])).includes(encodeURIComponent(version));
  }

  /** Puts the data back as it was when `version` last ran; returns false when there is no snapshot. */
  async restore(version: string): Promise<boolean> {
    if (!(await this.has(version))) return false;
    const source = this.path(version);
    for (const entry of await this.userEntries(this.dataDir)) await rm(join(this.dataDir, entry), { recursive: true, force: true });
    for (const entry of await readdir(source)) {
      await cp(join(source, entry), join(this.dataDir, entry), { recursive: true, preserveTimestamps: true });
      await syncTree(join(this.dataDir, entry));
    }
    await fsyncDirectory(this.dataDir);
    return true;
  }

  private path(version: string): string {
    return join(this.snapshotsDir, encodeURIComponent(version));
  }

  private async userEntries(dir: string): Promise<string[]> {
    return (await readdir(dir).catch(() => [] as string[])).filter((entry) => !this.keep.includes(entry));
  }
}
