import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { CrashSummary, HealthSnapshot, ProcessName } from '../../../src/api/contract.js';
import { redactSecretsIn } from '../../../src/secrets/redactSecretsIn.js';
import type { SecretRedactor } from '../../../src/secrets/SecretRegistry.js';
import { redactFields, redactText } from '../../../src/telemetry/anonymize.js';

export interface CrashError {
  name: string;
  message: string;
  stack?: string;
}

/** One crash, as written to `crashes/<id>.json`. */
export interface CrashRecord {
  id: string;
  time: string;
  process: ProcessName;
  version: string;
  commit: string;
  bootId: string;
  error: CrashError;
  /** The process's last log lines before the crash, oldest first (parsed JSON where they are). */
  recentLines: unknown[];
  /** The last health snapshot headsetd took, null before the first. */
  health: HealthSnapshot | null;
}

export interface CrashContext {
  version: string;
  commit: string;
  bootId(): string;
  /** headsetd's recent log lines (a crash of another process brings its own where it can). */
  recentLines(): string[];
  lastHealth(): HealthSnapshot | undefined;
}

const RECORD = /^(\d{8}T\d{9}Z-(?:headsetd|electron-main|renderer)-[0-9a-f]{8})\.json$/;
const ID = /^\d{8}T\d{9}Z-(?:headsetd|electron-main|renderer)-[0-9a-f]{8}$/;

/**
 * Crash records on disk, written synchronously so a dying process gets its record down before it
 * exits: a temporary file, fsynced, renamed, and the folder fsynced (a power cut right after leaves
 * the whole record or none). The folder keeps at most `maxRecords`: beyond that the oldest records
 * already forwarded go first, then the oldest. Forwarding is marked by a `<id>.forwarded` file beside
 * the record, so marking never rewrites the record.
 */
export class CrashRecorder {
  constructor(
    readonly dir: string,
    private readonly context: CrashContext,
    private readonly options: { maxRecords?: number; now?: () => Date; secrets?: SecretRedactor } = {},
  ) {}

  /** Writes a crash record now, synchronously; returns its id. Never throws (a crash handler calls it). */
  recordSync(crash: { process: ProcessName; error: CrashError; recentLines?: string[]; health?: HealthSnapshot | null }): string | null {
    try {
      const time = (this.options.now?.() ?? new Date()).toISOString();
      const id = `${time.replace(/[-:.]/g, '')}-${crash.process}-${randomBytes(4).toString('hex')}`;
      const record: CrashRecord = {
        id,
        time,
        process: crash.process,
        version: this.context.version,
        commit: this.context.commit,
        bootId: this.context.bootId(),
        // An error message (and the stack, which repeats it) may quote a password or a PIN: the
        // record gets the same redaction as the device's own log, the registered secrets by value
        // first. The recent lines were redacted on their way into the log, but lines another
        // process brings are not known to be.
        error: {
          name: this.redact(crash.error.name),
          message: this.redact(crash.error.message),
          ...(crash.error.stack ? { stack: this.redact(crash.error.stack) } : {}),
        },
        recentLines: (crash.recentLines ?? this.context.recentLines()).map(parseLine).map((line) => redactLine(line, this.options.secrets)),
        health: crash.health === undefined ? (this.context.lastHealth() ?? null) : crash.health,
      };
      const created = mkdirSync(this.dir, { recursive: true, mode: 0o750 });
      if (created !== undefined) this.syncNewFolders(created);
      const path = join(this.dir, `${id}.json`);
      const temporary = `${path}.tmp`;
      const fd = openSync(temporary, 'w', 0o640);
      try {
        writeSync(fd, `${JSON.stringify(record, null, 2)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, path);
      this.syncDir();
      this.prune();
      return id;
    } catch {
      return null;
    }
  }

  private redact(text: string): string {
    return redactText(this.options.secrets ? this.options.secrets.redact(text) : text);
  }

  /** Summaries of the kept records, newest first. */
  async list(): Promise<CrashSummary[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const forwarded = new Set(names.filter((n) => n.endsWith('.forwarded')).map((n) => n.slice(0, -'.forwarded'.length)));
    const summaries: CrashSummary[] = [];
    for (const name of names.sort().reverse()) {
      const id = RECORD.exec(name)?.[1];
      if (!id) continue;
      const record = await this.read(id).catch(() => undefined);
      if (!record) continue; // unreadable: skipped, never fatal
      summaries.push({
        id,
        time: record.time,
        process: record.process,
        version: record.version,
        error: `${record.error.name}: ${record.error.message}`,
        forwarded: forwarded.has(id),
      });
    }
    return summaries;
  }

  async read(id: string): Promise<CrashRecord> {
    if (!ID.test(id)) throw new Error(`not a crash record id: ${id}`);
    return JSON.parse(await readFile(join(this.dir, `${id}.json`), 'utf8')) as CrashRecord;
  }

  /** Records not yet handed to the forwarder, oldest first. */
  async pending(): Promise<string[]> {
    return (await this.list())
      .filter((s) => !s.forwarded)
      .map((s) => s.id)
      .reverse();
  }

  /** Marks a record as handed to the forwarder (durably: the marker is fsynced with its folder). */
  markForwarded(id: string): void {
    if (!ID.test(id)) throw new Error(`not a crash record id: ${id}`);
    const fd = openSync(join(this.dir, `${id}.forwarded`), 'w', 0o640);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.syncDir();
  }

  private prune(): void {
    const max = this.options.maxRecords ?? 20;
    const names = readdirSync(this.dir);
    const ids = names
      .map((n) => RECORD.exec(n)?.[1])
      .filter((id): id is string => id !== undefined)
      .sort();
    // Leftovers of a write cut short are removed too.
    for (const name of names.filter((n) => n.endsWith('.json.tmp'))) unlinkSync(join(this.dir, name));
    if (ids.length <= max) return;
    const forwarded = new Set(names.filter((n) => n.endsWith('.forwarded')).map((n) => n.slice(0, -'.forwarded'.length)));
    const byAge = [...ids.filter((id) => forwarded.has(id)), ...ids.filter((id) => !forwarded.has(id))];
    for (const id of byAge.slice(0, ids.length - max)) {
      unlinkSync(join(this.dir, `${id}.json`));
      if (forwarded.has(id)) unlinkSync(join(this.dir, `${id}.forwarded`));
    }
    this.syncDir();
  }

  private syncDir(): void {
    syncFolderSync(this.dir);
  }

  /**
   * A new folder's entry lives in its parent and is lost with the page cache until the parent is
   * fsynced: the first crash record would go with it. Synchronous, like all of a crash handler
   * (storage/fileSync.ts has no synchronous variant; this is the storage edge too). A parent that
   * cannot be synced does not stop the record: written but less durable beats not written.
   */
  private syncNewFolders(first: string): void {
    for (let at = resolve(this.dir); ; at = dirname(at)) {
      try {
        syncFolderSync(dirname(at));
      } catch {
        // best effort, see above
      }
      if (at === resolve(first) || dirname(at) === at) break;
    }
  }
}

function syncFolderSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function redactLine(parsed: unknown, secrets: SecretRedactor | undefined): unknown {
  const line = secrets ? redactSecretsIn(parsed, secrets) : parsed;
  if (typeof line === 'string') return redactText(line);
  if (line === null || typeof line !== 'object' || Array.isArray(line)) return line;
  return redactFields(line as Record<string, unknown>);
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return line;
  }
}
