import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { compareVersions } from '../../../src/update/version.js';
import { ensureDirectory, fsyncDirectory, readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';

interface KeptBundle {
  file: string;
  sha256: string;
}

/**
 * The last few bundles that were installed and committed, kept so the headset can go back more
 * than one version without a download. Newest versions are kept; the rest are deleted.
 */
export class BundleCache {
  constructor(
    private readonly dir: string,
    private readonly keepCount = 3,
  ) {}

  async keep(bundlePath: string, version: string, sha256: string): Promise<void> {
    await ensureDirectory(this.dir);
    const file = `${encodeURIComponent(version)}.hcb`;
    const index = await this.index();
    index[version] = { file, sha256 };
    // Listed before it moves in (a listed file that is not there is not offered): a cut after the
    // move leaves it kept, not a file nobody knows of.
    await writeFileAtomic(join(this.dir, 'index.json'), JSON.stringify(index, null, 2));
    await rename(bundlePath, join(this.dir, file));
    await fsyncDirectory(this.dir);
    const older = Object.keys(index)
      .sort((a, b) => compareVersions(b, a))
      .slice(this.keepCount);
    if (older.length === 0) return;
    for (const old of older) {
      await rm(join(this.dir, index[old]!.file), { force: true });
      delete index[old];
    }
    // Its folder's fsync makes the removals durable too.
    await writeFileAtomic(join(this.dir, 'index.json'), JSON.stringify(index, null, 2));
  }

  async versions(): Promise<string[]> {
    const index = await this.index();
    const present = new Set(await readdir(this.dir).catch(() => [] as string[]));
    return Object.keys(index)
      .filter((v) => present.has(index[v]!.file))
      .sort((a, b) => compareVersions(b, a));
  }

  async get(version: string): Promise<{ path: string; sha256: string } | undefined> {
    const entry = (await this.index())[version];
    return entry && (await this.versions()).includes(version) ? { path: join(this.dir, entry.file), sha256: entry.sha256 } : undefined;
  }

  private async index(): Promise<Record<string, KeptBundle>> {
    return (await readJsonIfExists<Record<string, KeptBundle>>(join(this.dir, 'index.json'))) ?? {};
  }
}
