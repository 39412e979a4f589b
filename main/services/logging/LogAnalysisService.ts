import { compileQuery, entryCursor, NewestPage, type LogQuery } from '../../../src/logging/logQuery.js';
import type { LogRecord } from '../../../src/logging/logRecord.js';
import { parseLogLine, type LogArchive } from './LogArchive.js';
import { LogColumnIndex } from './LogColumnIndex.js';
import { summarizeColumns, type LogSummary, type LogSummaryInput } from './LogSummary.js';

export type { LogSummary, TimelineBucket, TopTemplate } from './LogSummary.js';

export interface LogQueryInput extends LogQuery {
  limit: number;
  /** Cursor: entries strictly older than the one it names. */
  before?: string;
}

export interface LogQueryResult {
  entries: LogRecord[];
  truncated: boolean;
  /** The cursor of the next (older) page; null on the last page. */
  nextCursor: string | null;
  /** Lines read to answer. */
  scanned: number;
  /** Lines that were not log entries (skipped). */
  malformed: number;
}

/**
 * Answers log queries and summaries over the log folder.
 *
 * Queries scan the files, rejecting most lines on their raw text before parsing them. Summaries
 * need every entry of the range mined into templates: each file is reduced once to columns, kept
 * and brought up to date by LogColumnIndex.
 */
export class LogAnalysisService {
  private readonly index: LogColumnIndex;

  constructor(
    private readonly archive: LogArchive,
    private readonly now: () => number = Date.now,
  ) {
    this.index = new LogColumnIndex(archive);
  }

  async query(input: LogQueryInput, signal?: AbortSignal): Promise<LogQueryResult> {
    const q = compileQuery(input);
    const page = new NewestPage(input.limit, input.before);
    let scanned = 0;
    let malformed = 0;
    const since = input.since ? Date.parse(input.since) : -Infinity;
    const until = input.until ? Date.parse(input.until) : Infinity;
    for (const file of await this.archive.files()) {
      // A file whose cached time span (of all its lines) misses the range is not read at all.
      const known = this.index.minedColumns(file);
      if (known && known.count > 0 && (known.maxTime < since || known.minTime >= until)) continue;
      await this.archive.forEachLine(
        file,
        (line) => {
          scanned++;
          if (!q.lineMayMatch(line)) return;
          const record = parseLogLine(line);
          if (!record) malformed++;
          else if (q.matches(record)) page.offer(record);
        },
        signal,
      );
    }
    const { entries, truncated } = page.page();
    return { entries, truncated, nextCursor: truncated && entries.length > 0 ? entryCursor(entries.at(-1)!) : null, scanned, malformed };
  }

  /** Timeline, top templates, anomalies and insights for a range (see LogSummary.ts). */
  async summary(input: LogSummaryInput): Promise<LogSummary> {
    const columns = await this.index.columns();
    return summarizeColumns(columns, this.index, input, this.now);
  }

  /** Lines the template miner has seen (each line of the folder once) and the templates it keeps. */
  stats(): { minedLines: number; templates: number } {
    return this.index.stats();
  }
}
