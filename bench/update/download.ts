import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BandwidthLimiter } from '../../main/services/update/download/BandwidthLimiter.js';
import { DownloadError } from '../../main/services/update/download/DownloadError.js';
import { downloadOnce } from '../../main/services/update/download/ResumableDownload.js';
import type { BenchResult } from '../harness.js';
import { startCountingServer } from './countingServer.js';
import { MiB, round } from './measure.js';

const LIMIT = MiB; // bytes per second
const LIMITED_BYTES = 8 * MiB;
/** downloadOnce's default: at most this much is fetched twice after a power cut. */
const CHECKPOINT_BYTES = MiB;

/**
 * Downloads from a node:http server on 127.0.0.1 that counts every byte it sends:
 * - a bundle whose download is stopped (AbortController) once half of it arrived, then resumed:
 *   bytes sent for the resumed attempt (headers included) / half the bundle;
 * - 8 MiB under a 1 MiB/s BandwidthLimiter: achieved rate / limit.
 */
export async function benchDownload(work: string, bundle: string): Promise<BenchResult[]> {
  const content = readFileSync(bundle);
  const limited = content.subarray(0, LIMITED_BYTES);
  const server = await startCountingServer((path) => (path === '/bundle.hcb' ? content : path === '/limited.bin' ? limited : undefined));
  const dir = join(work, 'downloads');
  mkdirSync(dir);
  try {
    // 1. Killed half way, resumed.
    const target = { url: `${server.base}/bundle.hcb`, path: join(dir, 'bundle.hcb'), length: content.length, sha256: sha256(content) };
    const half = content.length / 2;
    const controller = new AbortController();
    let stoppedAt = 0;
    try {
      await downloadOnce(target, {
        signal: controller.signal,
        onProgress: (bytes) => {
          if (bytes >= half && !controller.signal.aborted) {
            stoppedAt = bytes;
            controller.abort();
          }
        },
      });
      throw new Error('the download was not stopped');
    } catch (error) {
      if (!(error instanceof DownloadError && error.code === 'DOWNLOAD_CANCELLED')) throw error;
    }
    await server.idle();
    const sentBefore = server.bytesSent();
    const requestsBefore = server.requests.length;
    await downloadOnce(target); // verifies length and SHA-256 before renaming into place
    await server.idle();
    const resumedBytes = server.bytesSent() - sentBefore;
    const resumed = server.requests.slice(requestsBefore);
    const resumeRatio = resumedBytes / half;

    // 2. Under a 1 MiB/s limit.
    const limitedTarget = { url: `${server.base}/limited.bin`, path: join(dir, 'limited.bin'), length: limited.length, sha256: sha256(limited) };
    const limiter = new BandwidthLimiter(LIMIT);
    const start = performance.now();
    let afterFirstMiB: { at: number; bytes: number } | undefined;
    await downloadOnce(limitedTarget, {
      limiter,
      onProgress: (bytes) => {
        if (!afterFirstMiB && bytes >= MiB) afterFirstMiB = { at: performance.now(), bytes };
      },
    });
    const seconds = (performance.now() - start) / 1000;
    const rate = limited.length / seconds;
    const steady = afterFirstMiB ? (limited.length - afterFirstMiB.bytes) / ((performance.now() - afterFirstMiB.at) / 1000) : rate;
    const rateRatio = rate / LIMIT;
    return [
      {
        name: 'Bytes downloaded after a kill at half way (abort at 50 %, resume) vs half the bundle',
        metric: 'ratio',
        value: round(resumeRatio, 3),
        unit: '×',
        goal: '≤ 1.02×',
        met: resumeRatio <= 1.02,
        details: {
          bundleBytes: content.length,
          stoppedAtBytes: stoppedAt,
          resumedAttemptBytesOnWire: resumedBytes,
          resumedRequests: resumed.map((r) => `${r.status} ${r.range ?? 'no range'}`).join('; '),
          worstCaseAfterPowerCut: `${round((half + CHECKPOINT_BYTES) / half, 3)}× (checkpoint every ${CHECKPOINT_BYTES / MiB} MiB)`,
        },
      },
      {
        name: 'Download rate under a 1 MiB/s limit (8 MiB from 127.0.0.1)',
        metric: 'achieved / limit',
        value: round(rateRatio, 3),
        unit: '×',
        goal: 'within ±10 % (0.9–1.1×)',
        met: Math.abs(rateRatio - 1) <= 0.1,
        details: {
          seconds: round(seconds, 2),
          achievedKiBps: Math.round(rate / 1024),
          steadyStateKiBps: Math.round(steady / 1024),
          limitKiBps: LIMIT / 1024,
        },
      },
    ];
  } finally {
    await server.close();
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
