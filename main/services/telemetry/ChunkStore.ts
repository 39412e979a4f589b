import { open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory, writeFileAtomic } from '../storage/atomicFile.js';
import { fileSync } from '../storage/fileSync.js';
import { chunkFileName, chunkKeyOf, countRecords, parseChunkFileName, type ChunkKey } from './outboxChunkFormat.js';

export interface Chunk extends ChunkKey {
  seq: number;
  name: string;
  records: number;
  bytes: number;
  /** Open for appends (at most one per key). */
  handle?: FileHandle;
  /** Handed to the forwarder: neither evicted nor rewritten until acknowledged or released. */
  inFlight: boolean;
}

/**
 * The outbox's chunk files in one folder, and what is known of each without reading it (records,
 * bytes). A chunk is append-only while open and sealed (closed) at `chunkBytes`, or when the
 * forwarder takes it; it is only ever replaced whole (writeFileAtomic) or deleted.
 */
export class ChunkStore {
  private readonly chunks = new Map<string, Chunk>();
  /** The chunk open for appends, per key (chunkKeyOf). */
  private readonly appending = new Map<string, Chunk>();
  private nextSeq = 1;

  private constructor(
    readonly dir: string,
    private readonly chunkBytes: number,
  ) {}

  /** The chunks a previous run left in `dir` (which exists); its leftover temporary files go. */
  static async open(dir: string, chunkBytes: number): Promise<ChunkStore> {
    const store = new ChunkStore(dir, chunkBytes);
    for (const name of await readdir(dir)) {
      if (name.endsWith('.tmp')) {
        await unlink(join(dir, name)).catch(() => undefined);
        continue;
      }
      const parsed = parseChunkFileName(name);
      if (!parsed) continue;
      const content = await readFile(join(dir, name)).catch(() => Buffer.alloc(0));
      store.chunks.set(name, { ...parsed, name, records: countRecords(content), bytes: content.length, inFlight: false });
      store.nextSeq = Math.max(store.nextSeq, parsed.seq + 1);
    }
    return store;
  }

  all(): Chunk[] {
    return [...this.chunks.values()];
  }

  get(name: string): Chunk | undefined {
    return this.chunks.get(name);
  }

  has(name: string): boolean {
    return this.chunks.has(name);
  }

  totalBytes(): number {
    let total = 0;
    for (const chunk of this.chunks.values()) total += chunk.bytes;
    return total;
  }

  pathOf(chunk: Chunk): string {
    return join(this.dir, chunk.name);
  }

  /**
   * Appends one record's line to the open chunk of its key (a new chunk if none), sealing it once
   * full; `syncBeforeSeal` makes the line durable before its handle closes. Throws on a failed or
   * short write, after cutting the file back so the next record starts clean.
   */
  async append(key: ChunkKey, line: string, size: number, options: { syncBeforeSeal: boolean }): Promise<{ chunk: Chunk; created: boolean }> {
    let created = false;
    let chunk: Chunk | undefined;
    try {
      ({ chunk, created } = await this.openChunk(key));
      const { bytesWritten } = await chunk.handle!.write(line);
      // write(2) on a nearly full disk writes what fits and reports no error.
      if (bytesWritten !== size) throw Object.assign(new Error(`short write (${bytesWritten} of ${size} bytes)`), { code: 'ENOSPC' });
      chunk.bytes += size;
      chunk.records++;
      if (chunk.bytes >= this.chunkBytes) {
        if (options.syncBeforeSeal) await this.syncOpen(chunk);
        await this.seal(chunk);
      }
      return { chunk, created };
    } catch (error) {
      // A short write leaves a torn line.
      if (chunk?.handle) await chunk.handle.truncate(chunk.bytes).catch(() => undefined);
      if (chunk && chunk.records === 0) await this.remove(chunk);
      throw error;
    }
  }

  private async openChunk(key: ChunkKey): Promise<{ chunk: Chunk; created: boolean }> {
    const existing = this.appending.get(chunkKeyOf(key));
    if (existing) return { chunk: existing, created: false };
    const seq = this.nextSeq++;
    const name = chunkFileName(seq, key);
    const handle = await open(join(this.dir, name), 'a', 0o600);
    const chunk: Chunk = {
      seq,
      name,
      priority: key.priority,
      category: key.category,
      signal: key.signal,
      records: 0,
      bytes: 0,
      handle,
      inFlight: false,
    };
    this.chunks.set(name, chunk);
    this.appending.set(chunkKeyOf(key), chunk);
    return { chunk, created: true };
  }

  /** fdatasync of a chunk still open for appends (a sealed one was synced before it closed, if it had to be). */
  async syncOpen(chunk: Chunk): Promise<void> {
    if (chunk.handle) await fileSync().syncFile(chunk.handle, this.pathOf(chunk), { dataOnly: true });
  }

  /** Makes new and removed chunk files durable. */
  async syncFolder(): Promise<void> {
    await fsyncDirectory(this.dir);
  }

  /** Closes a chunk for appends: the next record of its key opens a new one. */
  async seal(chunk: Chunk): Promise<void> {
    const handle = chunk.handle;
    if (!handle) return;
    chunk.handle = undefined;
    this.appending.delete(chunkKeyOf(chunk));
    await handle.close().catch(() => undefined);
  }

  async sealAll(): Promise<void> {
    for (const chunk of this.appending.values()) await this.seal(chunk);
  }

  async remove(chunk: Chunk): Promise<void> {
    this.chunks.delete(chunk.name);
    await this.seal(chunk);
    await this.removeFile(chunk.name);
  }

  /** Deletes a chunk file by name, known or not (already purged: nothing to do). */
  async removeFile(name: string): Promise<void> {
    await unlink(join(this.dir, name)).catch(() => undefined);
  }

  /** Replaces a sealed chunk's file with these lines (crash-safe); the caller sets `records`. */
  async rewrite(chunk: Chunk, lines: readonly string[]): Promise<void> {
    const text = lines.map((line) => `${line}\n`).join('');
    await writeFileAtomic(this.pathOf(chunk), text, { mode: 0o600 });
    chunk.bytes = Buffer.byteLength(text);
  }
}
