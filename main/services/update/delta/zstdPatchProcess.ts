import { spawn, type ChildProcess } from 'node:child_process';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZSTD_DEFAULT_WINDOW, patchMemoryLimit, patchToolError, type DeltaImage } from '../../../../src/update/delta.js';

/** Enough of zstd's stderr to explain a failure; a runaway stream is not kept whole. */
const STDERR_LIMIT = 16 * 1024;

/** The patch as it streams out of the bundle, checked by the bundle reader against its signed length and hash. */
export type PatchStream = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface ZstdExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why zstd could not start (ENOENT: no zstd), if it could not. */
  spawnError?: string;
}

/** One running `zstd -d --patch-from=REFERENCE`, fed the patch on its stdin. */
export interface ZstdPatchProcess {
  readonly child: ChildProcess;
  /** Settles when zstd has exited or failed to start; never rejects. */
  readonly exited: Promise<ZstdExit>;
  /**
   * Undefined once the whole patch was fed, else the patch stream's error. Kept, not thrown: the
   * payload's own length/hash check decides the outcome, ahead of what zstd makes of a cut stream.
   */
  readonly fed: Promise<unknown>;
  /** Stops feeding zstd (after it failed, it would never read the rest). */
  stopFeeding(): void;
  /** Stops feeding and kills zstd if it still runs. */
  stop(): void;
  /** DELTA_TOOL_FAILED (or BUNDLE_PAYLOAD_MISMATCH for a patch that does not decode) unless zstd exited 0 with nothing on stderr. */
  checkExit(status: ZstdExit): void;
}

/**
 * Starts zstd rebuilding `image` from `reference` and the patch: its output on a pipe (`child.stdout`),
 * or, given `into`, written straight into that file (from its current position, `--no-sparse`).
 */
export function startZstdPatch(image: DeltaImage, patch: PatchStream, reference: string, zstd: string, into?: FileHandle): ZstdPatchProcess {
  const limit = patchMemoryLimit(image.delta.sourceLength, image.uncompressed.length);
  // -q: no progress, but errors still on stderr. --long=27 as the patch was made; --memory only when
  // the image needs a wider window than that (patchMemoryLimit). --no-sparse into a slot: zstd would
  // otherwise seek over runs of zeros, leaving the slot's old bytes there.
  const args = [
    '-d',
    '-q',
    '--long=27',
    ...(into ? ['--no-sparse'] : []),
    ...(limit > ZSTD_DEFAULT_WINDOW ? [`--memory=${limit}`] : []),
    `--patch-from=${reference}`,
    '-c',
  ];
  // LC_ALL=C: zstd's messages in the words patchToolError recognises.
  const child: ChildProcess = spawn(zstd, args, { stdio: ['pipe', into ? into.fd : 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    if (stderr.length < STDERR_LIMIT) stderr += text.slice(0, STDERR_LIMIT - stderr.length);
  });
  const exited = new Promise<ZstdExit>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, spawnError: error.code ?? error.message }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const feeding = new AbortController();
  const fed = pipeline(Readable.from(patch, { objectMode: false }), child.stdin!, { signal: feeding.signal }).then(
    () => undefined,
    (error: unknown) => error,
  );
  return {
    child,
    exited,
    fed,
    stopFeeding: () => feeding.abort(),
    stop() {
      feeding.abort();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    checkExit(status) {
      if (status.spawnError === undefined && status.code === 0 && stderr.trim() === '') return;
      throw patchToolError({
        operation: 'apply',
        image: image.name,
        exitCode: status.code,
        signal: status.signal,
        stderr,
        ...(status.spawnError === undefined ? {} : { spawnError: status.spawnError }),
      });
    },
  };
}
