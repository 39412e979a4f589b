import type { LineLedger } from './LineLedger.js';
import type { ProblemReport } from './RotatingLogOptions.js';

/**
 * fdatasync of the active file for `settle`, one pass at a time: a pass serves every caller whose
 * lines were written before it started (group commit). A synced line may sit in a file rotated out
 * meanwhile, under a name not yet durable: the syncs of rotated files and of the folder are tracked
 * here too, and a pass counts its lines synced only once those succeeded.
 */
export class SyncPasses {
  private pass: Promise<void> | undefined;
  private passFd = -1;
  private readonly durability = new Set<Promise<boolean>>();
  private durabilityFailed = false;

  constructor(
    private readonly ledger: LineLedger,
    private readonly syncData: (fd: number) => Promise<void>,
    private readonly onProblem: ProblemReport,
  ) {}

  /** The pass under way, or a new one over `fd` (the active file's descriptor, -1 if there is none). */
  run(fd: number): Promise<void> {
    return this.pass ?? this.start(fd);
  }

  /** The pass under way, whatever its descriptor. */
  inFlight(): Promise<void> | undefined {
    return this.pass;
  }

  /** The pass under way if it uses `fd`: the descriptor must stay open until it ends. */
  using(fd: number): Promise<void> | undefined {
    return this.pass && this.passFd === fd ? this.pass : undefined;
  }

  /** Keeps a sync of a rotated file or of the folder in view of the next pass. */
  track(work: Promise<unknown>): void {
    const done: Promise<boolean> = work.then(
      () => true,
      () => {
        this.durabilityFailed = true;
        return false;
      },
    );
    this.durability.add(done);
    void done.finally(() => this.durability.delete(done));
  }

  private start(fd: number): Promise<void> {
    const from = this.ledger.synced;
    const through = this.ledger.resolved;
    this.passFd = fd;
    this.pass = (async () => {
      let ok = fd >= 0;
      if (ok) {
        ok = await this.syncData(fd).then(
          () => true,
          (error: unknown) => {
            this.onProblem('sync', error);
            return false;
          },
        );
      }
      // Lines of the range may sit in a file rotated out meanwhile, under names not yet durable.
      const durable = (await Promise.all([...this.durability])).every(Boolean) && !this.durabilityFailed;
      this.durabilityFailed = false;
      this.ledger.recordSyncPass(from, through, ok && durable);
    })().finally(() => {
      this.pass = undefined;
      this.passFd = -1;
    });
    return this.pass;
  }
}
