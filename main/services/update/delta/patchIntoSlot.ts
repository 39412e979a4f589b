import { readFile, type FileHandle } from 'node:fs/promises';
import { AppError } from '../../../../src/api/errors.js';
import type { DeltaImage } from '../../../../src/update/delta.js';
import { checkPayloadDigest } from '../../../../src/update/verify.js';
import { startZstdPatch, type PatchStream } from './zstdPatchProcess.js';

/** How often zstd's position in the slot is read while it writes: progress, and a runaway stopped. */
const POSITION_POLL_MS = 50;

/**
 * zstd writing the rebuilt image straight into `slot` (its file position must be 0); resolves with
 * the bytes written. The output is not hashed here: the caller reads the slot back. Its length is
 * watched through Linux /proc: zstd is stopped one poll after it passes the signed length.
 */
export async function patchIntoSlot(
  image: DeltaImage,
  patch: PatchStream,
  reference: string,
  zstd: string,
  slot: FileHandle,
  fill: { onProgress?: (bytes: number) => void; signal?: AbortSignal },
): Promise<number> {
  fill.signal?.throwIfAborted();
  const zstdProcess = startZstdPatch(image, patch, reference, zstd, slot);
  const stop = () => zstdProcess.stop();
  fill.signal?.addEventListener('abort', stop, { once: true });
  let runaway: number | undefined;
  let polling = false;
  let over = false;
  const poll = setInterval(() => {
    const pid = zstdProcess.child.pid;
    if (polling || pid === undefined) return;
    polling = true;
    void filePosition(`/proc/${pid}/fdinfo/1`)
      .then((at) => {
        if (at === undefined || over) return; // a late answer: the final count is given below
        if (at > image.uncompressed.length) {
          runaway = at;
          stop();
        } else fill.onProgress?.(at);
      })
      .finally(() => (polling = false));
  }, POSITION_POLL_MS);
  let finished = false;
  try {
    const status = await zstdProcess.exited;
    over = true;
    clearInterval(poll);
    fill.signal?.throwIfAborted();
    if (status.code !== 0) zstdProcess.stopFeeding();
    const inputError = await zstdProcess.fed;
    if (inputError instanceof AppError) throw inputError;
    // The slot's file position is shared with zstd: where it stopped is how much it wrote.
    const written = (await filePosition(`/proc/self/fdinfo/${slot.fd}`)) ?? runaway;
    if (runaway !== undefined || (written !== undefined && written > image.uncompressed.length))
      checkPayloadDigest(image, 'uncompressed', { length: written ?? runaway!, sha256: '' });
    zstdProcess.checkExit(status);
    if (inputError !== undefined) throw inputError;
    if (written !== undefined && written !== image.uncompressed.length) checkPayloadDigest(image, 'uncompressed', { length: written, sha256: '' });
    fill.onProgress?.(written ?? image.uncompressed.length);
    finished = true;
    return written ?? image.uncompressed.length;
  } finally {
    clearInterval(poll);
    fill.signal?.removeEventListener('abort', stop);
    if (!finished) stop();
    await zstdProcess.exited;
    await zstdProcess.fed;
  }
}

/** The `pos:` line of a /proc fdinfo file; undefined where there is none (not Linux, process gone). */
async function filePosition(fdinfo: string): Promise<number | undefined> {
  try {
    const match = /^pos:\s+(\d+)/m.exec(await readFile(fdinfo, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
