import { ApiError } from '../api/client.js';
import type { CallInput, CallOutput, LogWriteEntry } from '../api/contract.js';

export type Level = LogWriteEntry['level'];
type Send = (input: CallInput<'logs.write'>) => Promise<CallOutput<'logs.write'>>;

const MAX_BATCH = 50;
const MAX_MSG = 2048;
const MAX_FIELDS_JSON = 4096;

export interface LogBatcherOptions {
  /** The UI process the entries come from. */
  process: 'renderer' | 'electron-main';
  /** How long entries wait to be sent together. */
  flushDelayMs?: number;
  /** Entries kept while the device cannot take them; beyond it debug goes first, then the oldest. */
  maxQueued?: number;
  /** Entries below this level are not recorded at all. */
  minLevel?: Level;
  /** Waiting after a failed send (disconnected), before trying again. */
  retryMs?: number;
}

const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 };

/**
 * The logger of a UI process (the renderer, Electron main): entries go to headsetd's log through the
 * API (`logs.write`, subsystem `ui`), batched, bounded while the device is unreachable or says
 * LOGS_RATE_LIMITED (it then waits the time the device asks). Entries are cut to what the API accepts
 * rather than refused. A crash is sent at once with what is queued, and makes headsetd write a crash
 * record for the process.
 */
export class LogBatcher {
  private queue: LogWriteEntry[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sending = false;
  private dropped = 0;
  private readonly options: Required<LogBatcherOptions>;

  constructor(
    private readonly send: Send,
    options: LogBatcherOptions,
  ) {
    this.options = { flushDelayMs: 1000, maxQueued: 500, minLevel: 'info', retryMs: 5000, ...options };
  }

  /** Records an entry at `level` (for adapters such as an electron-log transport). */
  log(level: Level, msg: string, fields?: Record<string, unknown>): void {
    this.add(level, msg, fields);
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.add('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.add('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.add('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.add('error', msg, fields);
  }

  /** Entries waiting to be sent. */
  get queued(): number {
    return this.queue.length;
  }

  /** Sends the queued entries and a crash entry now; resolves to the crash record's id. */
  async crash(error: unknown): Promise<string | null> {
    const detail = describeError(error);
    const crash: LogWriteEntry = { level: 'fatal', msg: '', time: new Date().toISOString(), crash: detail };
    // The crash rides with what was queued (up to a batch): those lines end up in its record.
    const batch = [...this.queue.splice(Math.max(0, this.queue.length - (MAX_BATCH - 1))), crash];
    try {
      return (await this.send({ process: this.options.process, entries: batch })).crashId;
    } catch {
      return null; // nowhere to report to: the page is going anyway
    }
  }

  /** Sends what is queued (one batch at a time) until the queue is empty or the device refuses. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        if (this.dropped > 0) {
          this.queue.unshift(entry('warn', `${this.options.process} log dropped ${this.dropped} entries`, { dropped: this.dropped }));
          this.dropped = 0;
        }
        const batch = this.queue.slice(0, MAX_BATCH);
        try {
          await this.send({ process: this.options.process, entries: batch });
        } catch (error) {
          const retryAfter = error instanceof ApiError && error.code === 'LOGS_RATE_LIMITED' ? retryAfterMs(error.details) : this.options.retryMs;
          this.schedule(retryAfter ?? this.options.retryMs);
          return;
        }
        this.queue.splice(0, batch.length);
      }
    } finally {
      this.sending = false;
    }
  }

  private add(level: Level, msg: string, fields?: Record<string, unknown>): void {
    if (RANK[level] < RANK[this.options.minLevel]) return;
    this.queue.push(entry(level, msg, fields));
    while (this.queue.length > this.options.maxQueued) {
      const debug = this.queue.findIndex((e) => e.level === 'debug');
      this.queue.splice(debug >= 0 ? debug : 0, 1);
      this.dropped++;
    }
    if (this.queue.length >= MAX_BATCH) void this.flush();
    else this.schedule(this.options.flushDelayMs);
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
  }
}

function entry(level: Level, msg: string, fields?: Record<string, unknown>): LogWriteEntry {
  return {
    level,
    msg: msg.length > MAX_MSG ? `${msg.slice(0, MAX_MSG - 1)}…` : msg,
    time: new Date().toISOString(),
    ...(fields ? { fields: boundFields(fields) } : {}),
  };
}

/** Fields as the API accepts them: JSON, at most 4 KiB; otherwise a note that they were too big. */
function boundFields(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    const json = JSON.stringify(fields);
    if (json.length <= MAX_FIELDS_JSON) return JSON.parse(json) as Record<string, unknown>;
    return { truncated: true, bytes: json.length };
  } catch {
    return { unserializable: true };
  }
}

function describeError(error: unknown): { name: string; message: string; stack?: string } {
  const e = error instanceof Error ? error : new Error(typeof error === 'string' ? error : safeString(error));
  return { name: e.name.slice(0, 200), message: e.message.slice(0, 4096), ...(e.stack ? { stack: e.stack.slice(0, 16 * 1024) } : {}) };
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function retryAfterMs(details: unknown): number | undefined {
  const value = (details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof value === 'number' && value >= 0 ? value : undefined;
}
