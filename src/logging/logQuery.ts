import type { LogLevel, LogRecord } from './logRecord.js';

/**
 * Log queries: which entries match, and a cheap test on the raw JSON line that rejects most
 * non-matching lines before they are parsed (what keeps a query over a million lines under a second).
 *
 * Text is a case-insensitive substring of the message, the subsystem or a field value; words of the
 * form `name=value` instead match a field exactly (`slot=B`, `code=UPDATE_NO_SPACE`).
 */
export interface LogQuery {
  levels?: readonly LogLevel[];
  subsystems?: readonly string[];
  /** ISO-8601; inclusive. */
  since?: string;
  /** ISO-8601; exclusive. */
  until?: string;
  text?: string;
}

export interface CompiledQuery {
  /** False only when the line cannot match (true does not mean it does). */
  lineMayMatch(line: string): boolean;
  matches(record: LogRecord): boolean;
}

const FIELD_TERM = /^([A-Za-z_][\w.-]*)=(.+)$/;

export function compileQuery(query: LogQuery): CompiledQuery {
  const levels = query.levels && query.levels.length > 0 ? new Set<string>(query.levels) : undefined;
  const subsystems = query.subsystems && query.subsystems.length > 0 ? new Set(query.subsystems) : undefined;
  const since = query.since ? new Date(query.since).toISOString() : undefined;
  const until = query.until ? new Date(query.until).toISOString() : undefined;
  const words = (query.text ?? '')
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  const fieldTerms = words
    .map((w) => FIELD_TERM.exec(w))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1]!, value: m[2]! }));
  const text = words
    .filter((w) => !FIELD_TERM.test(w))
    .join(' ')
    .toLowerCase();
  // The raw-line test is only sound for text JSON writes as is (no quote, backslash or control chars).
  const lineText = text !== '' && writtenAsIs(text) ? text : undefined;
  const levelNeedles = levels ? [...levels].map((l) => `"level":"${l}"`) : undefined;

  return {
    lineMayMatch(line) {
      // The Logger writes `{"time":"…"` first: the time range costs a slice, not a parse.
      if ((since || until) && line.startsWith('{"time":"')) {
        const end = line.indexOf('"', 9);
        const time = line.slice(9, end);
        if (since && time < since) return false;
        if (until && time >= until) return false;
      }
      if (levelNeedles && !levelNeedles.some((n) => line.includes(n))) return false;
      if (lineText && !line.toLowerCase().includes(lineText)) return false;
      return true;
    },
    matches(record) {
      if (levels && !levels.has(record.level)) return false;
      if (subsystems && !subsystems.has(record.subsystem)) return false;
      if (since && record.time < since) return false;
      if (until && record.time >= until) return false;
      for (const term of fieldTerms) {
        const value = record.fields?.[term.name];
        if (value === undefined || String(value) !== term.value) return false;
      }
      if (text !== '' && !textMatches(record, text)) return false;
      return true;
    },
  };
}

/** Whether JSON.stringify writes `text` unchanged (no quote, backslash or control character). */
function writtenAsIs(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || (c >= 0xd800 && c <= 0xdfff))
      return false;
  }
  return true;
}

function textMatches(record: LogRecord, text: string): boolean {
  if (record.msg.toLowerCase().includes(text)) return true;
  if (record.subsystem.includes(text)) return true;
  if (!record.fields) return false;
  for (const value of Object.values(record.fields)) {
    const s = typeof value === 'string' ? value : JSON.stringify(value);
    if (s !== undefined && s.toLowerCase().includes(text)) return true;
  }
  return false;
}

/** Where a page ends: entries strictly older than this come next. Opaque to clients. */
export function entryCursor(record: Pick<LogRecord, 'time' | 'bootId' | 'seq'>): string {
  return `${record.time}|${record.seq}|${record.bootId}`;
}

/** Newest first: by time, then by sequence within a boot. */
export function compareNewestFirst(a: Pick<LogRecord, 'time' | 'seq' | 'bootId'>, b: Pick<LogRecord, 'time' | 'seq' | 'bootId'>): number {
  if (a.time !== b.time) return a.time < b.time ? 1 : -1;
  if (a.seq !== b.seq) return b.seq - a.seq;
  return a.bootId < b.bootId ? 1 : a.bootId > b.bootId ? -1 : 0;
}

export function parseCursor(cursor: string): Pick<LogRecord, 'time' | 'seq' | 'bootId'> | undefined {
  const m = /^([^|]+)\|(\d+)\|(.*)$/.exec(cursor);
  if (!m || Number.isNaN(Date.parse(m[1]!))) return undefined;
  return { time: m[1]!, seq: Number(m[2]), bootId: m[3]! };
}

/**
 * Keeps the newest `limit` matching entries older than `before`, from entries given in any order,
 * in bounded memory; `page()` returns them newest first and whether older ones were left out.
 */
export class NewestPage {
  private kept: LogRecord[] = [];
  private overflow = false;
  private readonly before: Pick<LogRecord, 'time' | 'seq' | 'bootId'> | undefined;

  constructor(
    private readonly limit: number,
    before?: string,
  ) {
    this.before = before ? parseCursor(before) : undefined;
  }

  /** Entries at or after the cursor are skipped (the previous pages showed them). */
  offer(record: LogRecord): void {
    if (this.before && compareNewestFirst(record, this.before) <= 0) return;
    this.kept.push(record);
    // Trim in batches: sorting on every entry would make a long scan quadratic.
    if (this.kept.length >= this.limit * 2 + 64) this.trim();
  }

  page(): { entries: LogRecord[]; truncated: boolean } {
    this.trim();
    return { entries: this.kept, truncated: this.overflow };
  }

  private trim(): void {
    this.kept.sort(compareNewestFirst);
    if (this.kept.length > this.limit) {
      this.overflow = true;
      this.kept.length = this.limit;
    }
  }
}
