import { type Hash, createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { copyFile, open, rm, truncate, type FileHandle } from 'node:fs/promises';
import type { MeasuredDigest } from '../../../../src/update/verify.js';

const READ_CHUNK = 1024 * 1024;
/** Copy buffers: large, so a copy of a source is a few hundred system calls. */
const COPY_CHUNK = 8 * 1024 * 1024;

/** SHA-256 and length of the first `length` bytes (fewer if the file is shorter). */
export async function hashPrefix(path: string, length: number): Promise<MeasuredDigest> {
  const hash = createHash('sha256');
  let read = 0;
  if (length > 0) {
    for await (const chunk of createReadStream(path, { start: 0, end: length - 1, highWaterMark: READ_CHUNK })) {
      hash.update(chunk as Buffer);
      read += (chunk as Buffer).length;
    }
  }
  return { length: read, sha256: hash.digest('hex') };
}

/**
 * Copies the first `length` bytes to a new private file (0600, never an existing one) with large
 * buffers, the next read under way while a chunk is hashed (`hash`, if given) and written: one
 * read of the source for both. Returns how many bytes there were (fewer if the source is shorter).
 */
export async function copyPrefix(source: string, destination: string, length: number, hash?: Hash): Promise<number> {
  const input = await open(source, 'r');
  try {
    const output = await open(destination, 'wx', 0o600);
    try {
      const size = Math.min(COPY_CHUNK, Math.max(length, 1));
      // Three buffers: one being read, one being written, one being hashed between the two.
      const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
      const readAt = (turn: number, at: number) =>
        at >= length ? Promise.resolve(0) : input.read(buffers[turn % 3]!, 0, Math.min(size, length - at), at).then((r) => r.bytesRead);
      let copied = 0;
      let writing: Promise<unknown> = Promise.resolve();
      let reading = readAt(0, 0);
      try {
        for (let turn = 0; ; turn++) {
          const bytesRead = await reading;
          if (bytesRead === 0) break;
          const chunk = buffers[turn % 3]!.subarray(0, bytesRead);
          reading = readAt(turn + 1, copied + bytesRead);
          hash?.update(chunk);
          await writing;
          writing = writeAll(output, chunk, copied);
          copied += bytesRead;
        }
        await writing;
        return copied;
      } finally {
        // On a failure, nothing is left in flight on the handles about to be closed.
        await Promise.allSettled([reading, writing]);
      }
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

async function writeAll(handle: FileHandle, bytes: Buffer, at: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written, at + written)).bytesWritten;
}

/** Clones the file (no data copied) and cuts it to `length`; false where reflinks do not work. */
export async function reflinkPrefix(source: string, destination: string, length: number): Promise<boolean> {
  try {
    await copyFile(source, destination, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE_FORCE);
  } catch {
    // ENOTSUP/EOPNOTSUPP (ext4, tmpfs), EXDEV (another file system), ENOSYS: copy instead.
    await rm(destination, { force: true });
    return false;
  }
  await truncate(destination, length);
  return true;
}
