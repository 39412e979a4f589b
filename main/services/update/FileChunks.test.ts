import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ByteSource } from './ByteSource.js';
import { FileChunks } from './FileChunks.js';

const root = mkdtempSync(join(tmpdir(), 'hc-file-chunks-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CHUNK = 4096;
const content = randomBytes(10 * CHUNK + 123);
const file = join(root, 'content.bin');
writeFileSync(file, content);

async function chunksOf(lend: (index: number) => boolean, onRead?: (chunk: Buffer) => void) {
  const chunks = new FileChunks(await open(file, 'r'), CHUNK, onRead);
  const got: { chunk: Buffer; copy: Buffer; lent: boolean }[] = [];
  for (let index = 0; ; index++) {
    const lent = lend(index);
    const chunk = await chunks.next(lent);
    if (chunk === undefined) break;
    got.push({ chunk, copy: Buffer.from(chunk), lent });
  }
  await chunks.close();
  return got;
}

describe('FileChunks', () => {
  it('reads the whole file in order, whether its chunks are lent or kept', async () => {
    for (const lend of [() => true, () => false, (i: number) => i % 3 === 0, (i: number) => i % 2 === 1]) {
      const got = await chunksOf(lend);
      expect(Buffer.concat(got.map((g) => g.copy)).equals(content)).toBe(true);
      expect(got.every((g) => g.chunk.length > 0 && g.chunk.length <= CHUNK)).toBe(true);
    }
  });

  it('lends two buffers in turn, and never changes a chunk it did not lend', async () => {
    const allLent = await chunksOf(() => true);
    expect(new Set(allLent.map((g) => g.chunk.buffer)).size).toBe(2);
    // Lent, kept, kept, lent, lent, lent, kept... : every switch in both directions.
    const pattern = [true, false, false, true, true, true, false, true, false, true, true];
    const got = await chunksOf((i) => pattern[i] ?? true);
    const lentMemory = new Set(got.filter((g) => g.lent).map((g) => g.chunk.buffer));
    for (const g of got.filter((g) => !g.lent)) {
      // Still what was read, after every later read (some of them into the lent buffers).
      expect(g.chunk.equals(g.copy)).toBe(true);
      expect(lentMemory.has(g.chunk.buffer)).toBe(false);
    }
    expect(Buffer.concat(got.map((g) => g.copy)).equals(content)).toBe(true);
  });

  it('shows every byte to onRead once, in order, however it is consumed', async () => {
    const seen: Buffer[] = [];
    await chunksOf(
      (i) => i % 2 === 0,
      (chunk) => seen.push(Buffer.from(chunk)),
    );
    expect(Buffer.concat(seen).equals(content)).toBe(true);
  });

  it('closes with a read ahead in flight, and reads nothing after', async () => {
    const chunks = new FileChunks(await open(file, 'r'), CHUNK);
    expect((await chunks.next(true))?.length).toBe(CHUNK);
    await chunks.close();
    expect(await chunks.next(true)).toBeUndefined();
  });

  it('through ByteSource: what a lending take leaves over is copied before a keeping take gets it', async () => {
    const source = new ByteSource(new FileChunks(await open(file, 'r'), CHUNK));
    const kept: Buffer[] = [];
    let offset = 0;
    // Hash-like (lent) takes and kept takes that end and start in the middle of chunks.
    for (const [count, lend] of [
      [CHUNK + 100, true],
      [3 * CHUNK, false],
      [2 * CHUNK + 7, true],
      [CHUNK - 1, false],
      [10 * CHUNK, true],
    ] as const) {
      const start = offset;
      const parts: Buffer[] = [];
      for await (const part of source.take(count, lend)) {
        parts.push(lend ? Buffer.from(part) : part);
        offset += part.length;
      }
      if (!lend) kept.push(...parts);
      expect(Buffer.concat(parts).equals(content.subarray(start, offset))).toBe(true);
    }
    expect(offset).toBe(content.length);
    expect(await source.atEnd()).toBe(true);
    await source.close();
    // The kept parts, checked again after every later read.
    expect(
      Buffer.concat(kept).equals(Buffer.concat([content.subarray(CHUNK + 100, 4 * CHUNK + 100), content.subarray(6 * CHUNK + 107, 7 * CHUNK + 106)])),
    ).toBe(true);
  });
});
