import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { LOG_LEVELS, type LogRecord } from '../../../src/logging/logRecord.js';
import { listLogFiles, type LogFileEntry } from './logFiles.js';

/**
 * Reads the log folder: every stream's files oldest to newest (rotated, gzip or plain, then the
 * active one), line by line without loading a file whole. What is not a log entry (a torn last line,
 * a corrupted block, a foreign line) is skipped and counted, never fatal; a file that vanishes under
 * the reader (retention removed it) or fails to decompress ends early and is counted too.
 */
export class LogArchive {
  constructor(readonly dir: string) {}

  files(): Promise<LogFileEntry[]> {
    return listLogFiles(this.dir);
  }

  /** Calls `onLine` with each line of `file` (without its newline); resolves false when the file could not be read to its end. */
  async forEachLine(file: Pick<LogFileEntry, 'path' | 'compressed'>, onLine: (line: string) => void, signal?: AbortSignal): Promise<boolean> {
    const source = createReadStream(file.path, { highWaterMark: 1 << 20 });
    const stream = file.compressed ? source.pipe(createGunzip({ chunkSize: 1 << 20 })) : source;
    if (file.compressed) source.on('error', (error) => stream.destroy(error));
    const decoder = new StringDecoder('utf8');
    let rest = '';
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (signal?.aborted) {
          stream.destroy();
          source.destroy();
          return false;
        }
        const text = rest + decoder.write(chunk);
        let from = 0;
        for (let end = text.indexOf('\n', from); end !== -1; end = text.indexOf('\n', from)) {
          if (end > from) onLine(text.slice(from, end));
          from = end + 1;
        }
        rest = text.slice(from);
      }
      rest += decoder.end();
      if (rest.length > 0) onLine(rest);
      return true;
    } catch {
      source.destroy();
      if (rest.length > 0) onLine(rest);
      return false;
    }
  }

  /**
   * Calls `onLine` with each whole line of a plain file between byte `start` and `end` (a file being
   * appended to: a line still being written is left for the next read); resolves to the offset just
   * past the last whole line, where the next read starts.
   */
  async forEachWholeLine(path: string, start: number, end: number, onLine: (line: string) => void): Promise<number> {
    if (end <= start) return start;
    let at = start;
    let pending: Buffer = Buffer.alloc(0);
    try {
      for await (const chunk of createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        const data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
        let from = 0;
        for (let nl = data.indexOf(0x0a, from); nl !== -1; nl = data.indexOf(0x0a, from)) {
          if (nl > from) onLine(data.toString('utf8', from, nl));
          from = nl + 1;
        }
        at += from;
        pending = data.subarray(from);
      }
    } catch {
      // Vanished or replaced under the reader: what was read stands; the caller sees the file change.
    }
    return at;
  }
}

const LEVELS = new Set<string>(LOG_LEVELS);

/** The entry a line holds, or undefined when it is not one (malformed JSON or a wrong shape). */
export function parseLogLine(line: string): LogRecord | undefined {
  return parseLogEntry(line)?.record;
}

/** The entry and its time in epoch ms (parsed once: summaries need it for every line). */
export function parseLogEntry(line: string): { record: LogRecord; time: number } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.time !== 'string' || typeof r.msg !== 'string' || typeof r.subsystem !== 'string' || !LEVELS.has(r.level as string)) return undefined;
  const time = Date.parse(r.time);
  if (Number.isNaN(time)) return undefined;
  if (typeof r.seq !== 'number') r.seq = 0;
  if (typeof r.bootId !== 'string') r.bootId = '';
  if (typeof r.version !== 'string') r.version = '';
  if (typeof r.commit !== 'string') r.commit = '';
  if (r.fields !== undefined && (typeof r.fields !== 'object' || r.fields === null || Array.isArray(r.fields))) delete r.fields;
  return { record: r as unknown as LogRecord, time };
}
