import type { Readable } from 'node:stream';

/** What a stored blob is: its length and SHA-256 (lower-case hex), computed while it was written. */
export interface StoredBlob {
  length: number;
  sha256: string;
}

/** A byte range to read, both ends inclusive (HTTP Range's meaning). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where the server keeps large bytes (update bundles and repository files; backups later), apart
 * from the database. A folder by default (FolderBlobStore); S3-compatible storage is another
 * implementation of this port. Keys are `/`-separated names the server makes, never user paths.
 * Every failure is thrown as a BlobStoreError (answered BLOB_STORE_UNAVAILABLE).
 */
export interface BlobStore {
  /** Stores `bytes` under `key` whole or not at all: a reader sees the old blob (or none) until the new one is complete. */
  put(key: string, bytes: Readable): Promise<StoredBlob>;
  /** The blob's size, or undefined when there is none. */
  size(key: string): Promise<number | undefined>;
  /** A stream of the blob's bytes (of `range` only, if given); undefined when there is none. */
  read(key: string, range?: ByteRange): Promise<Readable | undefined>;
  /** Gives the blob at `from` the key `to` (replacing one there), whole or not at all. */
  move(from: string, to: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Keys are the server's own names: segments of safe characters, no `.` or `..`, no empty segment. */
const BLOB_KEY = /^[A-Za-z0-9_][A-Za-z0-9._+-]*(\/[A-Za-z0-9_][A-Za-z0-9._+-]*)*$/;

/** Refuses a key that is not one of the server's names (it could leave a folder or a prefix). */
export function checkBlobKey(key: string): string {
  if (!BLOB_KEY.test(key)) throw new BlobStoreError(`not a blob key: ${JSON.stringify(key)}`);
  return key;
}

/** The blob store failed (a full disk, a folder gone, storage unreachable): nothing was stored. */
export class BlobStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlobStoreError';
  }
}
