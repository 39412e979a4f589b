import { findInsights, type Insight, type NumericSample } from '../../../src/logging/insights.js';
import { LOG_LEVELS, levelRank, type LogLevel } from '../../../src/logging/logRecord.js';
import { detectAnomalies, type Anomaly, type TemplateSeries } from '../../../src/logging/templateAnomalies.js';
import type { FileColumns } from './FileColumns.js';
import type { LogColumnIndex } from './LogColumnIndex.js';

export interface TimelineBucket {
  start: string;
  counts: Record<LogLevel, number>;
}

export interface TopTemplate {
  id: number;
  template: string;
  subsystem: string;
  level: LogLevel;
  count: number;
  firstSeen: string;
  lastSeen: string;
  example: string;
}

export interface LogSummary {
  since: string;
  until: string;
  bucketMs: number;
  timeline: TimelineBucket[];
  topTemplates: TopTemplate[];
  anomalies: Anomaly[];
  insights: Insight[];
  entries: number;
  malformed: number;
}

export interface LogSummaryInput {
  since?: string;
  until?: string;
  bucketCount: number;
  topCount?: number;
}

/** What the columns' numbers stand for: templates, subsystems and versions. */
export type ColumnNames = Pick<LogColumnIndex, 'cluster' | 'subsystem' | 'version'>;

const DAY = 24 * 3_600_000;

/**
 * Timeline, top templates, anomalies and insights for a range (default: the last day of the log),
 * from every file's columns. Version comparisons use every kept entry: a version change is not
 * bounded by the range.
 */
export function summarizeColumns(columns: FileColumns[], names: ColumnNames, input: LogSummaryInput, now: () => number): LogSummary {
  let latest = -Infinity;
  for (const c of columns) if (c.count > 0) latest = Math.max(latest, c.maxTime);
  const until = input.until ? Date.parse(input.until) : Number.isFinite(latest) ? latest + 1 : now();
  const since = input.since ? Date.parse(input.since) : until - DAY;
  const bucketMs = Math.max(1000, Math.ceil((until - since) / input.bucketCount));
  const buckets = Math.max(1, Math.ceil((until - since) / bucketMs));

  const timeline = Array.from({ length: buckets }, (_, i) => ({
    start: new Date(since + i * bucketMs).toISOString(),
    counts: { debug: 0, info: 0, warn: 0, error: 0, fatal: 0 },
  }));
  const perTemplate = new Map<number, { counts: number[]; count: number; first: number; last: number; level: number }>();
  const errorTimes = new Map<string, number[]>();
  const bootFirst = new Map<number, number>();
  const fatals: { time: string; subsystem: string; msg: string }[] = [];
  const versionFirst = new Map<number, number>();
  const samples: NumericSample[] = [];
  let entries = 0;
  let malformed = 0;
  for (const c of columns) {
    malformed += c.malformed;
    for (let i = 0; i < c.count; i++) {
      const t = c.times[i]!;
      const v = c.versions[i]!;
      if (!(versionFirst.get(v)! <= t)) versionFirst.set(v, t);
      const b = c.boots[i]!;
      if (b >= 0 && !(bootFirst.get(b)! <= t)) bootFirst.set(b, t);
      if (t < since || t >= until) continue;
      entries++;
      const level = c.levels[i]!;
      const bucket = Math.floor((t - since) / bucketMs);
      timeline[bucket]!.counts[LOG_LEVELS[level]!]++;
      const id = c.templates[i]!;
      let s = perTemplate.get(id);
      if (!s) perTemplate.set(id, (s = { counts: new Array<number>(buckets).fill(0), count: 0, first: t, last: t, level }));
      s.counts[bucket]!++;
      s.count++;
      if (t < s.first) s.first = t;
      if (t > s.last) s.last = t;
      if (level > s.level) s.level = level;
      if (level >= levelRank('error')) {
        const subsystem = names.subsystem(c.subsystems[i]!);
        let times = errorTimes.get(subsystem);
        if (!times) errorTimes.set(subsystem, (times = []));
        times.push(t);
      }
    }
    for (const s of c.samples)
      samples.push({
        subsystem: names.subsystem(c.subsystems[s.index]!),
        field: s.field,
        version: names.version(c.versions[s.index]!),
        value: s.value,
      });
    for (const f of c.fatals) {
      const t = Date.parse(f.time);
      if (t >= since && t < until) fatals.push(f);
    }
  }
  const describe = (id: number, s: { count: number; first: number; last: number; level: number }): TopTemplate => {
    const cluster = names.cluster(id);
    return {
      id,
      template: cluster.tokens.join(' '),
      subsystem: cluster.subsystem,
      level: LOG_LEVELS[s.level]!,
      count: s.count,
      firstSeen: new Date(s.first).toISOString(),
      lastSeen: new Date(s.last).toISOString(),
      example: cluster.example,
    };
  };
  const topTemplates = [...perTemplate.entries()]
    .sort((a, b) => b[1].count - a[1].count || a[0] - b[0])
    .slice(0, input.topCount ?? 20)
    .map(([id, s]) => describe(id, s));
  const series: TemplateSeries[] = [...perTemplate.entries()].map(([id, s]) => {
    const t = describe(id, s);
    return { templateId: id, template: t.template, subsystem: t.subsystem, level: t.level, counts: s.counts };
  });
  const anomalies = detectAnomalies(series, { start: since, bucketMs }).slice(0, 20);
  const versionOrder = [...versionFirst.entries()]
    .sort((a, b) => a[1] - b[1])
    .map(([v]) => names.version(v))
    .filter((v) => v !== '');
  // Bounded like the contract's answer: the first ones are the most severe kinds.
  let logStart = Infinity;
  for (const c of columns) if (c.count > 0) logStart = Math.min(logStart, c.minTime);
  const insights = findInsights({
    start: since,
    end: until,
    logStart: Number.isFinite(logStart) ? logStart : undefined,
    versions: versionOrder,
    samples,
    errorTimes,
    bootStarts: [...bootFirst.values()],
    fatals,
  }).slice(0, 20);
  return {
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    bucketMs,
    timeline,
    topTemplates,
    anomalies,
    insights,
    entries,
    malformed,
  };
}
