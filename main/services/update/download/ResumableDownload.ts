import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname } from 'node:path';
import { ensureDirectory, fsyncDirectory, readJsonIfExists, writeFileAtomic } from '../../storage/atomicFile.js';
import { fileSync } from '../../storage/fileSync.js';
import type { BandwidthLimiter } from './BandwidthLimiter.js';
import { DownloadError } from './DownloadError.js';

export interface DownloadTarget {
  url: string;
  /** Where the verified file ends up; `.part` and `.part.json` beside it while it downloads. */
  path: string;
  length: number;
  sha256: string;
}

export interface DownloadOptions {
  limiter?: BandwidthLimiter;
  signal?: AbortSignal;
  /** No byte for this long and the attempt is abandoned (and may be retried). */
  stallTimeoutMs?: number;
  /** Bytes between two checkpoints (fsync of the data, then the checkpoint record). */
  checkpointBytes?: number;
  onProgress?: (bytes: number, total: number) => void;
}

interface Checkpoint {
  url: string;
  length: number;
  sha256: string;
  /** Bytes of `.part` known to be on disk (fsynced before this record was written). */
  bytes: number;
}

/**
 * One attempt at downloading `target`, resuming from the last checkpoint with an HTTP Range
 * request. A power cut loses at most `checkpointBytes`; nothing is ever restarted from zero unless
 * the server ignores ranges or the bytes turn out corrupt. The file is renamed into place only
 * after its length and SHA-256 match.
 *
 *   .part.json says N bytes -> truncate .part to N -> re-hash N -> GET Range: N- -> append,
 *   fsync + checkpoint every checkpointBytes -> all bytes -> verify -> rename -> done
 */
export async function downloadOnce(target: DownloadTarget, options: DownloadOptions = {}): Promise<void> {
  if (await isComplete(target)) return;
  const part = `${target.path}.part`;
  const checkpointPath = `${target.path}.part.json`;
  const checkpointEvery = options.checkpointBytes ?? 1024 * 1024;
  // Its folder made durable too: a cut must not take the checkpoints away with a folder just made.
  await ensureDirectory(dirname(target.path));
  const handle = await open(part, 'a+');
  try {
    let bytes = await resumePoint(handle, checkpointPath, target);
    let hash = await hashPrefix(part, bytes);
    options.onProgress?.(bytes, target.length);
    const response = await get(target.url, bytes, options.signal);
    if (response.statusCode === 416 && bytes === target.length) {
      response.resume();
    } else {
      if (response.statusCode === 200 && bytes > 0) {
        // The server ignored the range: start over rather than append the wrong bytes.
        bytes = 0;
        hash = createHash('sha256');
        await handle.truncate(0);
      } else if (response.statusCode === 206) {
        const start = /^bytes (\d+)-/.exec(String(response.headers['content-range']))?.[1];
        if (Number(start) !== bytes)
          throw fail(
            response,
            new DownloadError(
              'DOWNLOAD_HTTP_STATUS',
              `The server answered a range request for byte ${bytes} with ${response.headers['content-range']}`,
              true,
            ),
          );
      } else if (response.statusCode !== 200) {
        throw fail(response, httpStatusError(response));
      }
      let sinceCheckpoint = 0;
      const stall = new StallTimer(options.stallTimeoutMs ?? 30_000, () =>
        response.destroy(new DownloadError('DOWNLOAD_STALLED', 'The server stopped sending.', true)),
      );
      try {
        for await (const chunk of response as AsyncIterable<Buffer>) {
          stall.reset();
          if (bytes + chunk.length > target.length)
            throw new DownloadError('DOWNLOAD_TOO_LONG', `The server sent more than the ${target.length} bytes the metadata promises.`, false);
          await options.limiter?.acquire(chunk.length, options.signal);
          await write(handle, chunk, bytes);
          hash.update(chunk);
          bytes += chunk.length;
          sinceCheckpoint += chunk.length;
          if (sinceCheckpoint >= checkpointEvery) {
            await saveCheckpoint(handle, checkpointPath, target, bytes);
            sinceCheckpoint = 0;
          }
          options.onProgress?.(bytes, target.length);
        }
      } catch (error) {
        await saveCheckpoint(handle, checkpointPath, target, bytes).catch(() => undefined);
        throw translate(error, options.signal);
      } finally {
        stall.stop();
      }
      if (bytes < target.length) {
        await saveCheckpoint(handle, checkpointPath, target, bytes);
        throw new DownloadError('DOWNLOAD_INTERRUPTED', `The connection closed after ${bytes} of ${target.length} bytes.`, true);
      }
    }
    if (hash.digest('hex') !== target.sha256) {
      await handle.close();
      await rm(part, { force: true });
      await rm(checkpointPath, { force: true });
      throw new DownloadError('DOWNLOAD_CORRUPT', 'The downloaded bytes do not match the hash the signed metadata gives.', false);
    }
    await fileSync().syncFile(handle, part);
    await handle.close();
    await rename(part, target.path);
    await rm(checkpointPath, { force: true });
    await fsyncDirectory(dirname(target.path));
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function isComplete(target: DownloadTarget): Promise<boolean> {
  const info = await stat(target.path).catch(() => undefined);
  return info?.size === target.length && (await hashPrefix(target.path, target.length)).digest('hex') === target.sha256;
}

/** Where to continue: the checkpoint's count if it is for this very file, else zero. */
async function resumePoint(handle: FileHandle, checkpointPath: string, target: DownloadTarget): Promise<number> {
  const checkpoint = await readJsonIfExists<Checkpoint>(checkpointPath).catch(() => undefined);
  const size = (await handle.stat()).size;
  const same = checkpoint && checkpoint.sha256 === target.sha256 && checkpoint.length === target.length;
  // Bytes past the checkpoint may not have reached the disk before a power cut: drop them.
  const bytes = same ? Math.min(checkpoint.bytes, size) : 0;
  if (size !== bytes) await handle.truncate(bytes);
  return bytes;
}

async function saveCheckpoint(handle: FileHandle, path: string, target: DownloadTarget, bytes: number): Promise<void> {
  await fileSync().syncFile(handle, `${target.path}.part`, { dataOnly: true });
  const checkpoint: Checkpoint = { url: target.url, length: target.length, sha256: target.sha256, bytes };
  await writeFileAtomic(path, JSON.stringify(checkpoint));
}

async function hashPrefix(path: string, bytes: number): Promise<Hash> {
  const hash = createHash('sha256');
  if (bytes === 0) return hash;
  for await (const chunk of createReadStream(path, { start: 0, end: bytes - 1, highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash;
}

async function write(handle: FileHandle, chunk: Buffer, position: number): Promise<void> {
  try {
    let written = 0;
    while (written < chunk.length) written += (await handle.write(chunk, written, chunk.length - written, position + written)).bytesWritten;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC')
      throw new DownloadError('DOWNLOAD_DISK_FULL', 'The disk is full; the download resumes once there is room.', true);
    throw error;
  }
}

function get(url: string, from: number, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const parsed = new URL(url);
    const request = (parsed.protocol === 'https:' ? httpsRequest : httpRequest)(parsed, {
      headers: from > 0 ? { Range: `bytes=${from}-`, 'Accept-Encoding': 'identity' } : { 'Accept-Encoding': 'identity' },
      signal,
    });
    request.once('response', resolve);
    request.once('error', (error) => reject(translate(error, signal)));
    request.end();
  });
}

function httpStatusError(response: IncomingMessage): DownloadError {
  const status = response.statusCode ?? 0;
  const retryAfter = Number(response.headers['retry-after']);
  const retryable = status === 408 || status === 429 || status >= 500;
  return new DownloadError('DOWNLOAD_HTTP_STATUS', `The server answered ${status}.`, retryable, Number.isFinite(retryAfter) ? retryAfter : undefined);
}

function fail(response: IncomingMessage, error: DownloadError): DownloadError {
  response.resume();
  return error;
}

function translate(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error instanceof DownloadError) return error;
  if (signal?.aborted) return new DownloadError('DOWNLOAD_CANCELLED', 'The download was paused or cancelled.', true);
  const code = (error as NodeJS.ErrnoException).code;
  if (
    code === 'ECONNRESET' ||
    code === 'ECONNREFUSED' ||
    code === 'EPIPE' ||
    code === 'ETIMEDOUT' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN'
  ) {
    return new DownloadError('DOWNLOAD_INTERRUPTED', `The connection failed (${code}).`, true);
  }
  return error;
}

class StallTimer {
  private timer: NodeJS.Timeout;

  constructor(
    private readonly ms: number,
    private readonly onStall: () => void,
  ) {
    this.timer = setTimeout(onStall, ms);
  }

  reset(): void {
    this.timer.refresh();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
