import { readFile } from 'node:fs/promises';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { Chunk, ChunkStore } from './ChunkStore.js';
import { decodeRecord, isExpired, type OutboxRecord } from './outboxChunkFormat.js';
import type { OutboxCounters } from './OutboxCounters.js';

/**
 * Reads sealed chunks back as records, and cuts out of their files the lines they must lose:
 * corrupt ones (a flipped byte, a torn tail after a power cut) are counted once and removed, so
 * they are never counted again; expired ones are removed by a purge.
 */
export class ChunkRecords {
  constructor(
    private readonly store: ChunkStore,
    private readonly counters: OutboxCounters,
    private readonly log?: SubsystemLogger,
  ) {}

  /** A chunk's valid records; corrupt lines are counted once and removed from the file. */
  async read(chunk: Chunk): Promise<OutboxRecord[]> {
    let content: Buffer;
    try {
      content = await readFile(this.store.pathOf(chunk));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      this.counters.countCorrupt(chunk.records);
      this.log?.warn(`outbox: unreadable chunk ${chunk.name} skipped: ${String(error)}`);
      return [];
    }
    const records: OutboxRecord[] = [];
    const good: string[] = [];
    let corrupt = 0;
    const lines = content.toString('utf8').split('\n');
    const tail = lines.pop(); // after the last newline: empty, or a torn write
    if (tail) corrupt++;
    for (const line of lines) {
      const record = decodeRecord(line, chunk);
      if (record) {
        records.push(record);
        good.push(line);
      } else corrupt++;
    }
    if (corrupt > 0) {
      this.counters.countCorrupt(corrupt);
      this.log?.warn(`outbox: ${corrupt} corrupt records skipped in ${chunk.name}`);
      await this.store.rewrite(chunk, good);
      await this.counters.save();
    }
    chunk.records = records.length;
    return records;
  }

  /** Drops a sealed chunk's expired records: the file is rewritten, or removed if none is left. */
  async dropExpired(chunk: Chunk, now: number): Promise<number> {
    const content = await readFile(this.store.pathOf(chunk), 'utf8').catch(() => undefined);
    if (content === undefined) return 0;
    const lines = content.split('\n').slice(0, -1);
    const kept = lines.filter((line) => {
      const record = decodeRecord(line, chunk);
      return !record || !isExpired(record, now); // a corrupt line is read()'s to count
    });
    const expired = lines.length - kept.length;
    if (expired === 0) return 0;
    if (kept.length === 0) {
      await this.store.remove(chunk);
      return expired;
    }
    await this.store.rewrite(chunk, kept);
    chunk.records = kept.length;
    return expired;
  }
}
