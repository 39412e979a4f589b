import type { LogQueryResult, LogSummary } from '../../src/api/contract.js';
import { DrainMiner } from '../../src/logging/drain.js';
import { findInsights, type NumericSample } from '../../src/logging/insights.js';
import { compileQuery, entryCursor, NewestPage, type LogQuery } from '../../src/logging/logQuery.js';
import { levelRank, type LogRecord } from '../../src/logging/logRecord.js';
import { detectAnomalies } from '../../src/logging/templateAnomalies.js';

/**
 * Query and summary over entries held in memory: what the fake device of the API tests answers
 * with, built from the same pure parts as the device's LogAnalysisService.
 */
export function queryRecords(records: readonly LogRecord[], input: LogQuery & { limit: number; before?: string }): LogQueryResult {
  const q = compileQuery(input);
  const page = new NewestPage(input.limit, input.before);
  for (const r of records) if (q.matches(r)) page.offer(r);
  const { entries, truncated } = page.page();
  return {
    entries,
    truncated,
    nextCursor: truncated && entries.length > 0 ? entryCursor(entries.at(-1)!) : null,
    scanned: records.length,
    malformed: 0,
  };
}

export function summarizeRecords(records: readonly LogRecord[], input: { since?: string; until?: string; bucketCount: number }): LogSummary {
  const times = records.map((r) => Date.parse(r.time));
  const until = input.until ? Date.parse(input.until) : times.length > 0 ? Math.max(...times) + 1 : 0;
  const since = input.since ? Date.parse(input.since) : until - 24 * 3_600_000;
  const bucketMs = Math.max(1000, Math.ceil((until - since) / input.bucketCount));
  const buckets = Math.max(1, Math.ceil((until - since) / bucketMs));
  const timeline = Array.from({ length: buckets }, (_, i) => ({
    start: new Date(since + i * bucketMs).toISOString(),
    counts: { debug: 0, info: 0, warn: 0, error: 0, fatal: 0 },
  }));
  const miner = new DrainMiner();
  const series = new Map<number, number[]>();
  const errorTimes = new Map<string, number[]>();
  const bootStarts = new Map<string, number>();
  const versions: string[] = [];
  const samples: NumericSample[] = [];
  let entries = 0;
  records.forEach((r, i) => {
    const t = times[i]!;
    if (!versions.includes(r.version)) versions.push(r.version);
    if (!(bootStarts.get(r.bootId)! <= t)) bootStarts.set(r.bootId, t);
    for (const [field, value] of Object.entries(r.fields ?? {}))
      if (typeof value === 'number') samples.push({ subsystem: r.subsystem, field, version: r.version, value });
    if (t < since || t >= until) return;
    entries++;
    const bucket = Math.floor((t - since) / bucketMs);
    timeline[bucket]!.counts[r.level]++;
    const id = miner.add(r.msg, r.subsystem, r.level, r.time).id;
    if (!series.has(id)) series.set(id, new Array<number>(buckets).fill(0));
    series.get(id)![bucket]!++;
    if (levelRank(r.level) >= levelRank('error')) errorTimes.set(r.subsystem, [...(errorTimes.get(r.subsystem) ?? []), t]);
  });
  const templates = miner.templates();
  const fatals = records
    .filter((r, i) => r.level === 'fatal' && times[i]! >= since && times[i]! < until)
    .map((r) => ({ time: r.time, subsystem: r.subsystem, msg: r.msg }));
  return {
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    bucketMs,
    entries,
    malformed: 0,
    timeline,
    topTemplates: templates.slice(0, 20).map(({ levels: _levels, ...t }) => t),
    anomalies: detectAnomalies(
      templates.map((t) => ({ templateId: t.id, template: t.template, subsystem: t.subsystem, level: t.level, counts: series.get(t.id)! })),
      { start: since, bucketMs },
    ).slice(0, 20),
    insights: findInsights({
      start: since,
      end: until,
      logStart: times.length > 0 ? Math.min(...times) : undefined,
      versions,
      samples,
      errorTimes,
      bootStarts: [...bootStarts.values()],
      fatals,
    }).slice(0, 20),
  };
}
