import { createWriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { access, copyFile, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { AppError } from '../../../src/api/errors.js';
import { exportFailedError } from '../../../src/logging/exportFailure.js';
import { compileQuery, type LogQuery } from '../../../src/logging/logQuery.js';
import { redactSecretsIn } from '../../../src/secrets/redactSecretsIn.js';
import type { SecretRedactor } from '../../../src/secrets/SecretRegistry.js';
import { fsyncDirectory } from '../storage/atomicFile.js';
import type { ExportMedium } from './ExportMedium.js';
import { parseLogLine, type LogArchive } from './LogArchive.js';

export interface ExportResult {
  fileName: string;
  bytes: number;
  entries: number;
}

/**
 * Writes the entries a filter selects, as they are in the log (JSON lines), gzip-compressed, to the
 * export medium. The file appears whole or not at all: written under a temporary name, synced,
 * renamed, the folder synced; a failure removes the temporary file. The lines were redacted before
 * they were written; a secret registered since (`secrets`) is cut out on the way to the medium too.
 */
export class LogExporter {
  constructor(
    private readonly archive: LogArchive,
    private readonly medium: ExportMedium,
    private readonly now: () => number = Date.now,
    private readonly secrets?: SecretRedactor,
    /** A folder whose records (`*.json`) go along with every export: the signed sanitization records of past wipes. */
    private readonly recordsDir?: string,
  ) {}

  async export(filter: LogQuery, signal?: AbortSignal): Promise<ExportResult> {
    const dir = await this.medium.locate();
    if (!dir) throw new AppError('EXPORT_NO_MEDIUM');
    const fileName = await freeName(
      dir,
      `headset-logs-${new Date(this.now())
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z')}`,
    );
    const target = join(dir, fileName);
    // A cut export leaves a hidden temporary file; the next one never trips over it.
    const temporary = join(dir, `.${fileName}.${randomBytes(4).toString('hex')}.tmp`);
    const q = compileQuery(filter);
    let entries = 0;
    try {
      const gzip = createGzip();
      const written = pipeline(gzip, createWriteStream(temporary, { flags: 'wx', mode: 0o644 }));
      // A failed write ends the pipeline early; remember it rather than leave it unhandled.
      let failure: unknown;
      written.catch((error: unknown) => (failure = error));
      for (const file of await this.archive.files()) {
        let batch: string[] = [];
        await this.archive.forEachLine(
          file,
          (line) => {
            if (!q.lineMayMatch(line)) return;
            const record = parseLogLine(line);
            if (!record || !q.matches(record)) return;
            batch.push(this.secrets?.holds(line) ? redactSecretsInLine(line, this.secrets) : line);
            entries++;
          },
          signal,
        );
        if (signal?.aborted) throw new AppError('CANCELLED');
        if (failure) break;
        if (batch.length > 0 && !gzip.write(`${batch.join('\n')}\n`))
          await new Promise<void>((resolve) => gzip.once('drain', resolve).once('close', resolve));
        batch = [];
      }
      gzip.end();
      await written;
      const handle = await open(temporary, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
      await fsyncDirectory(dir);
      await this.copyRecords(dir);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      if (error instanceof AppError) throw error;
      throw exportFailedError((error as NodeJS.ErrnoException).code);
    }
    return { fileName, bytes: (await stat(target)).size, entries };
  }

  /** Each record as `headset-sanitization-NAME` beside the log file, whole or not at all; one already there is kept. */
  private async copyRecords(dir: string): Promise<void> {
    if (!this.recordsDir) return;
    const names = (await readdir(this.recordsDir).catch(() => [] as string[])).filter((name) => name.endsWith('.json') && !name.startsWith('.'));
    for (const name of names) {
      const target = join(dir, `headset-sanitization-${name}`);
      if (await exists(target)) continue;
      const temporary = join(dir, `.headset-sanitization-${name}.${randomBytes(4).toString('hex')}.tmp`);
      try {
        await copyFile(join(this.recordsDir, name), temporary);
        const handle = await open(temporary, 'r+');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temporary, target);
      } catch (error) {
        await unlink(temporary).catch(() => undefined);
        throw error;
      }
    }
    if (names.length > 0) await fsyncDirectory(dir);
  }
}

/** A JSON log line with registered secrets cut out of its decoded message and fields (never splitting an escape). */
function redactSecretsInLine(line: string, secrets: SecretRedactor): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return secrets.redact(line);
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return JSON.stringify(redactSecretsIn(record, secrets));
  const { msg, fields } = record as { msg?: unknown; fields?: unknown };
  const out = JSON.stringify({
    ...record,
    ...(msg !== undefined ? { msg: redactSecretsIn(msg, secrets) } : {}),
    ...(fields !== undefined ? { fields: redactSecretsIn(fields, secrets) } : {}),
  });
  // Elsewhere in the entry (another writer's shape): the whole entry is walked.
  return secrets.holds(out) ? JSON.stringify(redactSecretsIn(record, secrets)) : out;
}

/** `base.jsonl.gz`, or `base-2.jsonl.gz`… when an export of the same second is already there. */
async function freeName(dir: string, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const name = `${base}${n > 1 ? `-${n}` : ''}.jsonl.gz`;
    if (
      !(await access(join(dir, name)).then(
        () => true,
        () => false,
      ))
    )
      return name;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
