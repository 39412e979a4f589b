import { constants, fstatSync, mkdirSync, openSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { closeQuietly, fstatAsync, openAsync } from './descriptorCalls.js';
import { syncDirectory } from './RotatedLogCompression.js';
import type { ProblemReport } from './RotatingLogOptions.js';
import type { SyncPasses } from './SyncPasses.js';
import { cutTornTail } from './TornTail.js';

/**
 * The stream's active file: its descriptor (-1 while there is none: deleted, made read-only, never
 * opened) and its size as written. Checked now and then, so a lost file is found and retried.
 */
export class ActiveLogFile {
  fd = -1;
  bytes = 0;
  private lastCheck = 0;

  constructor(
    readonly path: string,
    private readonly dir: string,
    private readonly syncs: SyncPasses,
    private readonly checkEveryMs: number,
    private readonly onProblem: ProblemReport,
  ) {}

  async open(): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o750 });
    // A plain descriptor, not a FileHandle: flushSync writes with it synchronously.
    const fd = await openAsync(this.path, 'a', 0o640);
    this.fd = fd;
    this.bytes = (await fstatAsync(fd)).size;
    // The file may be new: its name is durable once the folder is synced.
    this.syncs.track(syncDirectory(this.dir));
  }

  /** Opens without waiting (rotation's path); a failure is retried by the next check. */
  openSync(): void {
    try {
      this.fd = openSync(this.path, 'a', 0o640);
      this.bytes = fstatSync(this.fd).size;
    } catch (error) {
      this.onProblem('open', error);
    }
  }

  /** Cuts off the start of a line a killed writer left at the end (see TornTail.ts). */
  async cutTornTail(): Promise<void> {
    this.bytes = await cutTornTail(this.path, this.fd, this.bytes);
  }

  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    // A sync pass still uses it: closing now could let a new file take its number under that fdatasync.
    const pass = this.syncs.using(fd);
    if (pass) void pass.finally(() => closeQuietly(fd));
    else closeQuietly(fd);
  }

  /** At most every `checkEveryMs`: reopens a deleted file, lets go of one made read-only, retries a lost one. */
  async check(): Promise<void> {
    const wall = Date.now();
    if (wall - this.lastCheck < this.checkEveryMs) return;
    this.lastCheck = wall;
    if (this.fd < 0) {
      await this.open().catch((error) => this.onProblem('open', error));
      return;
    }
    try {
      const info = await fstatAsync(this.fd);
      if (info.nlink === 0) {
        this.close();
        await this.open();
        return;
      }
      await access(this.path, constants.W_OK);
    } catch (error) {
      this.close();
      this.onProblem('check', error);
    }
  }
}
