import { crc32 } from 'node:zlib';
import type { OutboxPayload, OutboxPriority, TelemetryCategory } from './ports.js';

/**
 * The outbox's file format. A chunk file is named `<seq>.<priority>.<category>.<signal>.chunk`
 * (seq orders chunks by age). Each record is one line `<crc32 hex> <json {id, t, p, x?}>\n`: a
 * flipped byte fails the checksum and only that line is lost (the next newline resynchronises); a
 * torn tail after a power cut is the same case.
 */

export const PRIORITIES: readonly OutboxPriority[] = ['critical', 'normal', 'bulk', 'debug'];
const CATEGORIES: readonly TelemetryCategory[] = ['essential', 'performance', 'hardware', 'usage', 'errors', 'location'];
const CHUNK_NAME = /^(\d{12})\.(critical|normal|bulk|debug)\.([a-z]+)\.(logs|metrics)\.chunk$/;

export type ChunkSignal = OutboxPayload['signal'];

/** What a chunk holds: at most one chunk per key is open for appends at a time. */
export interface ChunkKey {
  priority: OutboxPriority;
  category: TelemetryCategory;
  signal: ChunkSignal;
}

export interface OutboxRecord {
  id: string;
  category: TelemetryCategory;
  priority: OutboxPriority;
  /** Wall-clock time of enqueue (informational only: order comes from the chunk sequence). */
  enqueuedAt: string;
  /** Past this time the record is never sent (absent: kept until sent). */
  expiresAt?: string;
  payload: OutboxPayload;
  /** The chunk file holding it. */
  chunk: string;
}

export function chunkKeyOf(key: ChunkKey): string {
  return `${key.priority}.${key.category}.${key.signal}`;
}

export function chunkFileName(seq: number, key: ChunkKey): string {
  return `${String(seq).padStart(12, '0')}.${chunkKeyOf(key)}.chunk`;
}

/** A chunk file's sequence and key; undefined for any other file (or an unknown category). */
export function parseChunkFileName(name: string): ({ seq: number } & ChunkKey) | undefined {
  const match = CHUNK_NAME.exec(name);
  if (!match || !CATEGORIES.includes(match[3] as TelemetryCategory)) return undefined;
  return {
    seq: Number(match[1]),
    priority: match[2] as OutboxPriority,
    category: match[3] as TelemetryCategory,
    signal: match[4] as ChunkSignal,
  };
}

/** One record as its line, newline included. */
export function encodeRecord(record: { id: string; enqueuedAt: string; payload: OutboxPayload; expiresAt?: Date }): string {
  const body = JSON.stringify({
    id: record.id,
    t: record.enqueuedAt,
    p: record.payload,
    ...(record.expiresAt ? { x: record.expiresAt.toISOString() } : {}),
  });
  return `${crc32(body).toString(16).padStart(8, '0')} ${body}\n`;
}

/** A line (without its newline) of the chunk `chunk`; undefined when corrupt or of another signal. */
export function decodeRecord(line: string, chunk: { name: string } & ChunkKey): OutboxRecord | undefined {
  if (line.length < 10 || line[8] !== ' ') return undefined;
  const body = line.slice(9);
  if (crc32(body).toString(16).padStart(8, '0') !== line.slice(0, 8)) return undefined;
  try {
    const parsed = JSON.parse(body) as { id?: unknown; t?: unknown; p?: OutboxPayload; x?: unknown };
    if (typeof parsed.id !== 'string' || typeof parsed.t !== 'string' || !parsed.p || parsed.p.signal !== chunk.signal) return undefined;
    return {
      id: parsed.id,
      category: chunk.category,
      priority: chunk.priority,
      enqueuedAt: parsed.t,
      payload: parsed.p,
      chunk: chunk.name,
      ...(typeof parsed.x === 'string' ? { expiresAt: parsed.x } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Records in a chunk's content, torn tail excluded: one per newline. */
export function countRecords(content: Uint8Array): number {
  let records = 0;
  for (const byte of content) if (byte === 0x0a) records++;
  return records;
}

export function isExpired(record: OutboxRecord, now: number): boolean {
  return record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now;
}
