import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The minidumps Electron's Crashpad leaves on the device (crashReporter with uploadToServer false):
 * a completed dump is `<crashDumps>/completed/<uuid>.dmp`, with a `<uuid>.meta` beside it.
 *
 * The folder is bounded here, whatever the consent: beyond `maxDumps` the oldest go, and a dump
 * older than `retentionMs` goes. A dump is removed only by its owner after it was handed on
 * (enqueue first, then `remove`: a cut in between sends it again, never loses it).
 */

export interface Minidump {
  /** The file name in `completed/` (`<uuid>.dmp`). */
  name: string;
  sizeBytes: number;
  createdAt: Date;
}

export interface MinidumpContent {
  sha256: string;
  /** The dump itself, or undefined when it is larger than the cap (then only its metadata goes). */
  bytes: Buffer | undefined;
}

export interface MinidumpFolderOptions {
  /** Dumps larger than this are described, not sent (default 2 MiB). */
  maxDumpBytes?: number;
  /** Dumps kept waiting at most (default 10): a crash loop cannot fill the data partition. */
  maxDumps?: number;
  /** Dumps older than this are deleted unsent (the registry's retention of crash.minidump). */
  retentionMs: number;
  now?: () => Date;
}

const DUMP_NAME = /^[0-9A-Za-z-]{1,64}\.dmp$/;

export class MinidumpFolder {
  readonly maxDumpBytes: number;
  private readonly maxDumps: number;
  private readonly now: () => Date;

  constructor(
    readonly dir: string,
    private readonly options: MinidumpFolderOptions,
  ) {
    this.maxDumpBytes = options.maxDumpBytes ?? 2 * 1024 * 1024;
    this.maxDumps = options.maxDumps ?? 10;
    this.now = options.now ?? (() => new Date());
  }

  private get completedDir(): string {
    return join(this.dir, 'completed');
  }

  /** The completed dumps, oldest first, after removing what is beyond the bounds. */
  async pending(): Promise<Minidump[]> {
    const names = await readdir(this.completedDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const dumps: Minidump[] = [];
    for (const name of names) {
      if (!DUMP_NAME.test(name)) continue;
      const info = await stat(join(this.completedDir, name)).catch(() => undefined);
      if (info?.isFile()) dumps.push({ name, sizeBytes: info.size, createdAt: info.mtime });
    }
    dumps.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
    const oldestKept = this.now().getTime() - this.options.retentionMs;
    const kept: Minidump[] = [];
    for (const [index, dump] of dumps.entries()) {
      const beyondCount = dumps.length - index > this.maxDumps;
      if (beyondCount || dump.createdAt.getTime() < oldestKept) await this.remove(dump);
      else kept.push(dump);
    }
    return kept;
  }

  /** Its hash, and its bytes when within the cap. */
  async read(dump: Minidump): Promise<MinidumpContent> {
    const path = join(this.completedDir, dump.name);
    if (dump.sizeBytes <= this.maxDumpBytes) {
      const bytes = await readFile(path);
      // Grown past the cap since listed (still being written): described only.
      if (bytes.length > this.maxDumpBytes) return { sha256: sha256(bytes), bytes: undefined };
      return { sha256: sha256(bytes), bytes };
    }
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return { sha256: hash.digest('hex'), bytes: undefined };
  }

  /** Deletes a dump and Crashpad's `.meta` beside it (already gone is fine). */
  async remove(dump: Minidump): Promise<void> {
    const base = join(this.completedDir, dump.name.slice(0, -'.dmp'.length));
    for (const path of [`${base}.dmp`, `${base}.meta`]) {
      await unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
