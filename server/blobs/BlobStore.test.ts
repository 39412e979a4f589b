import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStoreError, type BlobStore } from './BlobStore.js';
import { FolderBlobStore } from './FolderBlobStore.js';
import { S3BlobStore } from './S3BlobStore.js';

/**
 * The blob store's contract, run over every implementation: the folder store and the S3 store against
 * s3rver on 127.0.0.1 (an S3 server from npm, the same wire protocol as AWS S3 and MinIO).
 */
interface StoreUnderTest {
  /** A store of its own (a new folder, a new prefix). */
  fresh(): BlobStore;
  /** A store whose backing storage cannot be reached or written. */
  broken(): Promise<BlobStore>;
  /** Every object or file the store holds, in-flight leftovers included. */
  everything(store: BlobStore): Promise<string[]>;
}

const root = mkdtempSync(join(tmpdir(), 'blob-contract-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }; // s3rver's fixed test pair
const BUCKET = 'fleet-blobs';
let s3rver: S3rver | undefined;
let s3Endpoint = '';
let counter = 0;

beforeAll(async () => {
  s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(root, 's3rver'), configureBuckets: [{ name: BUCKET }] });
  const { port } = await s3rver.run();
  s3Endpoint = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await s3rver?.close();
});

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const folders = new Map<BlobStore, string>();
const prefixes = new Map<BlobStore, string>();

const stores: Record<string, StoreUnderTest> = {
  folder: {
    fresh() {
      const folder = join(root, `folder-${++counter}`);
      const store = new FolderBlobStore(folder);
      folders.set(store, folder);
      return store;
    },
    async broken() {
      const file = join(root, `not-a-folder-${++counter}`);
      writeFileSync(file, 'x');
      return new FolderBlobStore(file);
    },
    async everything(store) {
      const folder = folders.get(store)!;
      try {
        return readdirSync(folder, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
          .sort();
      } catch {
        return [];
      }
    },
  },
  s3: {
    fresh() {
      const prefix = `run-${++counter}/`;
      // The smallest part S3 allows, so that a 12 MiB blob takes the multipart path.
      const store = new S3BlobStore({
        bucket: BUCKET,
        prefix,
        endpoint: s3Endpoint,
        region: 'us-east-1',
        credentials: S3_CREDENTIALS,
        partSize: 5 * 1024 * 1024,
      });
      prefixes.set(store, prefix);
      return store;
    },
    async broken() {
      return new S3BlobStore({
        bucket: BUCKET,
        prefix: '',
        endpoint: `http://127.0.0.1:${await closedPort()}`,
        region: 'us-east-1',
        credentials: S3_CREDENTIALS,
        maxAttempts: 1,
        timeoutMs: 2000,
      });
    },
    async everything(store) {
      const prefix = prefixes.get(store)!;
      const client = new S3Client({ endpoint: s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3_CREDENTIALS });
      try {
        const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
        return (listed.Contents ?? []).map((object) => object.Key!.slice(prefix.length)).sort();
      } finally {
        client.destroy();
      }
    },
  },
};

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A source that yields `first`, then waits for `release()` before yielding `second` (or failing). */
function pausedSource(first: Buffer): { source: Readable; finish(second: Buffer): void; fail(error: Error): void; started: Promise<void> } {
  let resume: (outcome: Buffer | Error) => void = () => undefined;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const outcome = new Promise<Buffer | Error>((resolve) => (resume = resolve));
  async function* generate(): AsyncGenerator<Buffer> {
    yield first;
    markStarted();
    const next = await outcome;
    if (next instanceof Error) throw next;
    yield next;
  }
  return { source: Readable.from(generate()), finish: (second) => resume(second), fail: (error) => resume(error), started };
}

describe.each(Object.keys(stores))('%s blob store', (kind) => {
  const under = stores[kind]!;

  it('stores whole with its length and hash, reads it back whole and by range, moves and deletes', async () => {
    const store = under.fresh();
    const bytes = Buffer.from('0123456789abcdef');
    expect(await store.put('updates/x', Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]))).toEqual({ length: 16, sha256: sha256(bytes) });
    expect(await store.size('updates/x')).toBe(16);
    expect(await text((await store.read('updates/x'))!)).toBe('0123456789abcdef');
    expect(await text((await store.read('updates/x', { start: 10, end: 12 }))!)).toBe('abc');
    expect(await text((await store.read('updates/x', { start: 0, end: 0 }))!)).toBe('0');
    expect(await text((await store.read('updates/x', { start: 15, end: 15 }))!)).toBe('f');
    await store.put('updates/y', Readable.from([Buffer.from('replaced by the move')]));
    await store.move('updates/x', 'updates/y');
    expect(await store.size('updates/x')).toBeUndefined();
    expect(await store.read('updates/x')).toBeUndefined();
    expect(await text((await store.read('updates/y'))!)).toBe('0123456789abcdef');
    await store.delete('updates/y');
    await store.delete('updates/y'); // deleting what is gone is not an error
    expect(await store.size('updates/y')).toBeUndefined();
    expect(await under.everything(store)).toEqual([]);
  });

  it('an empty blob is a blob', async () => {
    const store = under.fresh();
    expect(await store.put('empty', Readable.from([]))).toEqual({ length: 0, sha256: sha256(Buffer.alloc(0)) });
    expect(await store.size('empty')).toBe(0);
    expect((await buffer((await store.read('empty'))!)).length).toBe(0);
  });

  it('a blob larger than a part is stored whole, its ranges read across part boundaries', async () => {
    const store = under.fresh();
    const bytes = randomBytes(12 * 1024 * 1024 + 123);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536));
    expect(await store.put('big', Readable.from(chunks))).toEqual({ length: bytes.length, sha256: sha256(bytes) });
    expect(await store.size('big')).toBe(bytes.length);
    const boundary = 5 * 1024 * 1024;
    const range = await buffer((await store.read('big', { start: boundary - 10, end: boundary + 9 }))!);
    expect(range.equals(bytes.subarray(boundary - 10, boundary + 10))).toBe(true);
    expect(sha256(await buffer((await store.read('big'))!))).toBe(sha256(bytes));
    expect(await under.everything(store)).toEqual(['big']);
  }, 60_000);

  it('publishes atomically: while a put is under way readers see the old blob, then the whole new one', async () => {
    const store = under.fresh();
    await store.put('k', Readable.from([Buffer.from('old bytes')]));
    const paused = pausedSource(Buffer.from('new '));
    const putting = store.put('k', paused.source);
    await paused.started;
    expect(await text((await store.read('k'))!)).toBe('old bytes');
    expect(await store.size('k')).toBe(9);
    paused.finish(Buffer.from('bytes, all of them'));
    expect((await putting).length).toBe(22);
    expect(await text((await store.read('k'))!)).toBe('new bytes, all of them');
  });

  it('a source failing halfway stores nothing: the old blob stays, no partial object is visible', async () => {
    const store = under.fresh();
    await store.put('k', Readable.from([Buffer.from('old bytes')]));
    // Large enough that the S3 store has begun a multipart upload when the source fails.
    const paused = pausedSource(randomBytes(6 * 1024 * 1024));
    const putting = store.put('k', paused.source);
    await paused.started;
    paused.fail(new Error('the client went away'));
    await expect(putting).rejects.toThrow('the client went away');
    await expect(putting).rejects.not.toBeInstanceOf(BlobStoreError);
    expect(await text((await store.read('k'))!)).toBe('old bytes');
    expect(await under.everything(store)).toEqual(['k']);
    const fresh = pausedSource(Buffer.from('partial'));
    const first = store.put('never', fresh.source);
    await fresh.started;
    fresh.fail(new Error('gone'));
    await expect(first).rejects.toThrow('gone');
    expect(await store.size('never')).toBeUndefined();
    expect(await under.everything(store)).toEqual(['k']);
  }, 30_000);

  it('storage that cannot be reached or written is a BlobStoreError (answered BLOB_STORE_UNAVAILABLE)', async () => {
    const store = await under.broken();
    await expect(store.put('k', Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(BlobStoreError);
    await expect(store.put('a/b', Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(BlobStoreError);
    if (kind === 's3') {
      // A folder inside a file reads as "no such blob"; an unreachable service cannot say that.
      await expect(store.size('k')).rejects.toBeInstanceOf(BlobStoreError);
      await expect(store.read('k')).rejects.toBeInstanceOf(BlobStoreError);
      await expect(store.delete('k')).rejects.toBeInstanceOf(BlobStoreError);
    }
    await expect(store.move('k', 'l')).rejects.toBeInstanceOf(BlobStoreError);
  }, 30_000);

  it('refuses keys that are not the server names (they could leave the folder or the prefix)', async () => {
    const store = under.fresh();
    for (const key of ['../escape', 'a/../../b', '/abs', 'a//b', '.hidden', '']) await expect(store.size(key)).rejects.toBeInstanceOf(BlobStoreError);
    await expect(store.put('../x', Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(BlobStoreError);
  });
});
