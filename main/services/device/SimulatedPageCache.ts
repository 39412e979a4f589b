import { lstat, mkdir, readdir, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { systemFileSync, type FileSync } from '../storage/fileSync.js';
import { seededRandom } from '../../../src/seededRandom.js';

/**
 * What a power cut does to bytes no completed fsync covers:
 * - `revert`: every such page and folder change is lost (the medium holds what was last synced);
 * - `garbage`: every such page holds random bytes (a torn write, a flash page half programmed);
 * - `mixed`: each such page independently kept its new bytes, went back, or holds garbage, and
 *   each unsynced folder change (a creation, a rename over a name) did or did not reach the
 *   journal: the worst mixes a real cut can leave.
 */
export type PageLoss = 'revert' | 'garbage' | 'mixed';

export const PAGE_SIZE = 4096;

/** What a cut changed, for a test's message. */
export interface CutReport {
  filesChanged: string[];
  entriesLost: string[];
  entriesKept: string[];
}

interface Entry {
  inode: string;
  directory: boolean;
}

export interface SimulatedPageCacheOptions {
  /** The real fsync underneath (default: the system's), so the files are also really synced. */
  inner?: FileSync;
  /** Seeds the choices of a `mixed` or `garbage` cut, so a failing case can be replayed. */
  seed?: number;
  /** Called before each sync: where a test cuts the power between a write and its fsync. */
  beforeSync?: (kind: 'file' | 'directory', path: string) => void | Promise<void>;
}

/**
 * The page cache of the simulated headset, for everything under its root: a FileSync adapter that
 * remembers what each completed fsync made durable (a file's bytes, by inode; a folder's entries),
 * and `cut()`, which turns the files on disk into what a power cut would leave: the durable state,
 * plus, for what was never synced, what `PageLoss` says. Attached at power-on: everything on the
 * medium then is durable. Memory: a copy of every file under the root (meant for test devices).
 */
export class SimulatedPageCache implements FileSync {
  /** Durable bytes of each inode ("dev:ino") known to be on the medium. */
  private readonly data = new Map<string, Buffer>();
  /** Durable entries of each folder, by the folder's inode (a folder renamed keeps them). */
  private readonly folders = new Map<string, Map<string, Entry>>();
  private rootInode = '';
  private readonly inner: FileSync;
  private readonly random: () => number;

  private constructor(
    private readonly root: string,
    private readonly options: SimulatedPageCacheOptions,
  ) {
    this.inner = options.inner ?? systemFileSync;
    this.random = seededRandom(options.seed ?? 1); // the cut's choices replay from the seed
  }

  /** Takes everything now under `root` as durable (a power-on). */
  static async attach(root: string, options: SimulatedPageCacheOptions = {}): Promise<SimulatedPageCache> {
    const cache = new SimulatedPageCache(resolve(root), options);
    cache.rootInode = inodeKey(await lstat(cache.root, { bigint: true }));
    await cache.snapshotTree(cache.root, cache.rootInode);
    return cache;
  }

  async syncFile(handle: FileHandle, path: string, options?: { dataOnly?: boolean }): Promise<void> {
    await this.options.beforeSync?.('file', path);
    await this.inner.syncFile(handle, path, options);
    if (!this.covers(path)) return;
    // By name: the handle may be open for writing only. At its fsync, the name leads to it.
    const info = await handle.stat({ bigint: true });
    this.data.set(inodeKey(info), await readFile(path));
  }

  async syncDirectory(dir: string): Promise<void> {
    await this.options.beforeSync?.('directory', dir);
    await this.inner.syncDirectory(dir);
    if (this.covers(dir)) this.folders.set(inodeKey(await lstat(dir, { bigint: true })), await this.entriesOf(resolve(dir)));
  }

  /**
   * The power goes: rewrites the tree under the root into what the medium holds afterwards. The
   * cache must not be used after it (the next power-on attaches a new one).
   */
  async cut(loss: PageLoss): Promise<CutReport> {
    const report: CutReport = { filesChanged: [], entriesLost: [], entriesKept: [] };
    await this.restoreFolder(this.root, this.rootInode, loss, report);
    return report;
  }

  /** Puts at `dir` the durable entries of the folder `inode` (wherever its name is now). */
  private async restoreFolder(dir: string, inode: string, loss: PageLoss, report: CutReport): Promise<void> {
    const durable = this.folders.get(inode) ?? new Map<string, Entry>();
    await mkdir(dir, { recursive: true });
    const current = await this.entriesOf(dir);
    for (const [name, entry] of current) {
      if (durable.has(name)) continue;
      // Created or renamed in since the folder's last fsync.
      if (loss === 'mixed' && !entry.directory && this.random() < 0.5) {
        report.entriesKept.push(this.name(join(dir, name)));
        await this.restoreFile(join(dir, name), entry.inode, entry.inode, loss, report);
      } else {
        report.entriesLost.push(this.name(join(dir, name)));
        await rm(join(dir, name), { recursive: true, force: true });
      }
    }
    for (const [name, entry] of durable) {
      const path = join(dir, name);
      const now = current.get(name);
      if (entry.directory) {
        if (now !== undefined && !now.directory) await rm(path, { force: true });
        await this.restoreFolder(path, entry.inode, loss, report);
        continue;
      }
      // A name renamed over since the last fsync of its folder: the rename may be lost.
      const renameSurvives = now !== undefined && now.inode !== entry.inode && !now.directory && loss === 'mixed' && this.random() < 0.5;
      if (now?.directory) await rm(path, { recursive: true, force: true });
      await this.restoreFile(path, renameSurvives ? now.inode : entry.inode, now?.directory ? undefined : now?.inode, loss, report);
    }
  }

  /** Puts at `path` what the medium holds of `inode`; `currentInode` is what the name held before the cut. */
  private async restoreFile(path: string, inode: string, currentInode: string | undefined, loss: PageLoss, report: CutReport): Promise<void> {
    const durable = this.data.get(inode);
    // The bytes written to this inode, if the name still leads to it; else only its durable bytes count.
    const written = currentInode === inode ? await readFile(path) : undefined;
    const result = written === undefined ? (durable ?? this.lostFile(loss)) : this.mergePages(durable ?? Buffer.alloc(0), written, loss);
    if (currentInode === inode && written !== undefined && result.equals(written)) return;
    report.filesChanged.push(this.name(path));
    await rm(path, { recursive: true, force: true });
    await writeFile(path, result);
  }

  /** An inode with no durable bytes at all, named by a durable entry: empty or garbage. */
  private lostFile(loss: PageLoss): Buffer {
    if (loss === 'revert' || (loss === 'mixed' && this.random() < 0.5)) return Buffer.alloc(0);
    return this.garbage(PAGE_SIZE);
  }

  /**
   * Page by page: a page the same in both is kept; in any other, the bytes written since the last
   * fsync are what `loss` says (the synced bytes it shares with the write stay).
   */
  private mergePages(durable: Buffer, written: Buffer, loss: PageLoss): Buffer {
    const length =
      loss === 'revert'
        ? durable.length
        : loss === 'garbage'
          ? Math.max(durable.length, written.length)
          : this.random() < 0.5
            ? durable.length
            : written.length;
    const result = Buffer.alloc(length);
    for (let start = 0; start < length; start += PAGE_SIZE) {
      const end = Math.min(start + PAGE_SIZE, length);
      const before = pageOf(durable, start, end);
      const after = pageOf(written, start, end);
      let page: Buffer;
      if (before.equals(after)) page = after;
      else {
        if (loss === 'revert') page = Buffer.from(before);
        else if (loss === 'garbage') page = this.garbage(end - start);
        else {
          const pick = this.random();
          page = pick < 1 / 3 ? Buffer.from(after) : pick < 2 / 3 ? Buffer.from(before) : this.garbage(end - start);
        }
        // Bytes synced and not written since (a page synced half full, then appended to) stay.
        const synced = Math.min(durable.length, written.length) - start;
        for (let i = 0; i < Math.min(synced, page.length); i++) if (before[i] === after[i]) page[i] = before[i]!;
      }
      page.copy(result, start);
    }
    return result;
  }

  private garbage(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = Math.floor(this.random() * 256);
    return bytes;
  }

  private async snapshotTree(dir: string, inode: string): Promise<void> {
    const entries = await this.entriesOf(dir);
    this.folders.set(inode, entries);
    for (const [name, entry] of entries) {
      if (entry.directory) await this.snapshotTree(join(dir, name), entry.inode);
      else this.data.set(entry.inode, await readFile(join(dir, name)));
    }
  }

  /** The folder's files and folders by name (other kinds, sockets or links, are left alone). */
  private async entriesOf(dir: string): Promise<Map<string, Entry>> {
    const entries = new Map<string, Entry>();
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return entries;
      throw error;
    }
    for (const name of names) {
      const info = await lstat(join(dir, name), { bigint: true }).catch(() => undefined);
      if (info && (info.isFile() || info.isDirectory())) entries.set(name, { inode: inodeKey(info), directory: info.isDirectory() });
    }
    return entries;
  }

  private covers(path: string): boolean {
    const full = resolve(path);
    return full === this.root || full.startsWith(this.root + sep);
  }

  private name(path: string): string {
    return relative(this.root, path);
  }
}

/** An inode's identity; its birth time tells a freed inode number given to a new file from the old one. */
function inodeKey(info: { dev: bigint; ino: bigint; birthtimeNs: bigint }): string {
  return `${info.dev}:${info.ino}:${info.birthtimeNs}`;
}

/** Bytes [start, end) of `bytes`, zero beyond its end. */
function pageOf(bytes: Buffer, start: number, end: number): Buffer {
  const page = Buffer.alloc(end - start);
  if (start < bytes.length) bytes.copy(page, 0, start, Math.min(end, bytes.length));
  return page;
}
