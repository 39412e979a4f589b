import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, expect, it } from 'vitest';
import { BlobStoreError } from './BlobStore.js';
import { FolderBlobStore } from './FolderBlobStore.js';

const root = mkdtempSync(join(tmpdir(), 'folder-blobs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file under `dir`, relative. */
const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);

it('stores whole, with its hash and length, reads back a range, moves and deletes', async () => {
  const store = new FolderBlobStore(join(root, 'a'));
  const bytes = Buffer.from('0123456789abcdef');
  expect(await store.put('updates/x', Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]))).toEqual({
    length: 16,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  });
  expect(await store.size('updates/x')).toBe(16);
  expect(await text((await store.read('updates/x', { start: 10, end: 12 }))!)).toBe('abc');
  await store.move('updates/x', 'updates/y');
  expect(await store.size('updates/x')).toBeUndefined();
  expect(await store.read('updates/x')).toBeUndefined();
  await store.delete('updates/y');
  expect(await store.size('updates/y')).toBeUndefined();
});

it('a source failing halfway leaves no blob and no partial file; the old blob stays', async () => {
  const store = new FolderBlobStore(join(root, 'b'));
  await store.put('k', Readable.from([Buffer.from('old bytes')]));
  const failing = new Readable({
    read() {
      this.push(Buffer.alloc(64 * 1024, 1));
      this.destroy(new Error('the client went away'));
    },
  });
  await expect(store.put('k', failing)).rejects.toThrow('the client went away');
  expect(await text((await store.read('k'))!)).toBe('old bytes');
  expect(files(join(root, 'b'))).toEqual(['k']);
});

it('a folder that cannot be written is a BlobStoreError; a key that would leave the folder is refused', async () => {
  writeFileSync(join(root, 'not-a-folder'), 'x');
  const store = new FolderBlobStore(join(root, 'not-a-folder'));
  await expect(store.put('k', Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(BlobStoreError);
  const good = new FolderBlobStore(join(root, 'c'));
  for (const key of ['../escape', 'a/../../b', '/abs', 'a//b', '.hidden']) await expect(good.size(key)).rejects.toBeInstanceOf(BlobStoreError);
});
