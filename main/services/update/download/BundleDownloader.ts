import { stat, statfs } from 'node:fs/promises';
import { AppError } from '../../../../src/api/errors.js';
import { errorDetail } from '../../../../src/errorText.js';
import { checkFreeSpace } from '../../../../src/update/installability.js';
import { checkFailed } from '../../../../src/update/operationGuard.js';
import type { SubsystemLogger } from '../../logging/Logger.js';
import type { NetworkMonitor } from '../../platform/NetworkMonitor.js';
import { progressThrottle } from '../progressThrottle.js';
import type { CatalogEntry } from '../UpdateCatalog.js';
import { BandwidthLimiter, sleep } from './BandwidthLimiter.js';
import { DownloadError } from './DownloadError.js';
import { downloadOnce } from './ResumableDownload.js';

/** What a download waits for before its next attempt, if anything. */
export type DownloadWait = 'network' | 'unmetered-network' | 'retry' | null;

export type DownloadOutcome = { kind: 'verified' } | { kind: 'failed'; problem: AppError } | { kind: 'stopped' };

export interface BundleDownloaderNeeds {
  network: NetworkMonitor;
  /** Asked before every attempt: the wearer may allow metered networks while a download waits. */
  allowMetered: () => boolean;
  /** The folder the bundle downloads into, whose free space it needs. */
  stateDir: string;
  /** Runs a promise nobody awaits (progress pushed from a callback), its failure logged. */
  inBackground: (what: string, promise: Promise<unknown>) => void;
  log?: SubsystemLogger | undefined;
}

/**
 * An update's bundle downloaded until it is complete and verified: resumed at every attempt,
 * throttled to the wearer's limit, waiting while there is no network (or only a metered one the
 * wearer did not allow), retried with backoff after a failure that may pass.
 */
export class BundleDownloader {
  private readonly limiter = new BandwidthLimiter();

  constructor(private readonly needs: BundleDownloaderNeeds) {}

  /** Bytes per second, null for no limit; applies to a download already running too. */
  limitRate(bytesPerSecond: number | null): void {
    this.limiter.setRate(bytesPerSecond ?? Infinity);
  }

  /**
   * Downloads `entry` to `path` (`.part` beside it meanwhile). `report` is told the bytes so far
   * and what the download waits for; stopped (`signal`), it resolves without a verdict.
   */
  async download(
    entry: CatalogEntry,
    path: string,
    signal: AbortSignal,
    report: (bytes: number, waitingFor: DownloadWait) => Promise<unknown>,
  ): Promise<DownloadOutcome> {
    let bytes = 0;
    const reportNow = progressThrottle();
    for (let attempt = 0; !signal.aborted; attempt++) {
      const network = await this.needs.network.state();
      if (network === 'offline' || (network === 'metered' && !this.needs.allowMetered())) {
        await report(bytes, network === 'offline' ? 'network' : 'unmetered-network');
        await sleep(2000, signal).catch(() => undefined);
        attempt = 0;
        continue;
      }
      await report(bytes, null);
      try {
        const partial = (await stat(`${path}.part`).catch(() => undefined))?.size ?? 0;
        const disk = await statfs(this.needs.stateDir);
        checkFreeSpace(entry.length - partial, disk.bavail * disk.bsize);
        await downloadOnce(
          { url: entry.url, path, length: entry.length, sha256: entry.sha256 },
          {
            limiter: this.limiter,
            signal,
            onProgress: (done) => {
              bytes = done;
              if (reportNow(done, entry.length)) this.needs.inBackground('download progress', report(bytes, null));
            },
          },
        );
        return { kind: 'verified' };
      } catch (error) {
        if (signal.aborted) return { kind: 'stopped' };
        if (error instanceof DownloadError && error.retryable) {
          // Back off with jitter (and the server's Retry-After), capped at 5 minutes.
          const wait =
            error.retryAfterSeconds !== undefined
              ? error.retryAfterSeconds * 1000
              : Math.min(300_000, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
          await report(bytes, 'retry');
          await sleep(wait, signal).catch(() => undefined);
          continue;
        }
        if (!(error instanceof DownloadError) && !(error instanceof AppError))
          this.needs.log?.error('download failed unexpectedly', { error: errorDetail(error) });
        const problem =
          error instanceof DownloadError
            ? checkFailed(error.message, { download: error.code })
            : error instanceof AppError
              ? error
              : new AppError('INTERNAL', 'The download failed.');
        return { kind: 'failed', problem };
      }
    }
    return { kind: 'stopped' };
  }
}
