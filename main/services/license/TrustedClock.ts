import { join } from 'node:path';
import { z } from 'zod';
import { ensureDirectory, readFileIfExists, writeFileAtomic } from '../storage/atomicFile.js';

/**
 * A monotonic high-water mark of trusted times: TUF timestamp metadata, the fleet server's signed
 * time (a revocation list's issuedAt), the newest file times seen, and the system clock as it
 * advances. `now()` is the later of the clock and the mark, so setting the clock back (by a day or a
 * year) never makes a licence younger. The mark is persisted (temp, fsync, rename, fsync dir) before
 * it is used, so a restart or a power cut cannot lose it.
 */
export const TRUSTED_TIME_SOURCES = ['clock', 'tuf', 'server', 'file'] as const;
export type TrustedTimeSource = (typeof TRUSTED_TIME_SOURCES)[number];

const FILE = 'trusted-time.json';
/** A clock behind the mark by more than this is reported as set back (small NTP steps are normal). */
export const CLOCK_BEHIND_TOLERANCE_MS = 5 * 60_000;
/** A time more than this ahead of every other source is not believed (a forged or far-future file time). */
const MAX_AHEAD_OF_CLOCK_MS = 2 * 86_400_000;

const markSchema = z.object({ highWaterMs: z.number().int().nonnegative(), source: z.enum(TRUSTED_TIME_SOURCES) }).strict();

export class TrustedClock {
  private highWaterMs = 0;
  private source: TrustedTimeSource = 'clock';

  constructor(
    private readonly dir: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async load(): Promise<void> {
    const content = await readFileIfExists(join(this.dir, FILE));
    if (content === undefined) return;
    // A damaged mark must not reset trust to zero silently; the clock is then the only source, logged by the caller.
    const parsed = markSchema.safeParse(safeJson(content.toString('utf8')));
    if (!parsed.success) throw new Error(`${FILE} is damaged`);
    this.highWaterMs = parsed.data.highWaterMs;
    this.source = parsed.data.source;
  }

  /** The trusted time now: never earlier than any trusted time seen. */
  now(): number {
    return Math.max(this.clock(), this.highWaterMs);
  }

  /** The system clock is behind the mark (it was set back). */
  clockBehind(): boolean {
    return this.clock() + CLOCK_BEHIND_TOLERANCE_MS < this.highWaterMs;
  }

  mark(): { highWaterMs: number; source: TrustedTimeSource } {
    return { highWaterMs: this.highWaterMs, source: this.source };
  }

  /**
   * Raises the mark to `ms` when later, persisting it first. A signed time (tuf, server) is taken as
   * is; a file time only when it is not far ahead of the clock (mtimes can be set by anyone).
   */
  async observe(ms: number, source: TrustedTimeSource): Promise<void> {
    if (!Number.isFinite(ms) || ms <= this.highWaterMs) return;
    if (source === 'file' && ms > Math.max(this.clock(), this.highWaterMs) + MAX_AHEAD_OF_CLOCK_MS) return;
    await ensureDirectory(this.dir);
    await writeFileAtomic(join(this.dir, FILE), `${JSON.stringify({ highWaterMs: Math.floor(ms), source })}\n`, { mode: 0o600 });
    this.highWaterMs = Math.floor(ms);
    this.source = source;
  }

  /** Records the clock's reading as trusted when it moved forward (the mark follows a running clock). */
  async observeClock(): Promise<void> {
    await this.observe(this.clock(), 'clock');
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
