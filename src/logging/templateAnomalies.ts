import { levelRank, type LogLevel } from './logRecord.js';
import { poissonSurprise } from './poisson.js';
import { capitalize, describeDuration, describeTime, quote, roundForPeople, subsystemName } from './plainWords.js';

/**
 * Anomalies in template rates. Each template's entries are counted in equal time buckets; a bucket
 * is compared with the template's own rate over the buckets before it (the baseline):
 *
 *   burst      a count far above the baseline rate, by a Poisson tail probability, not only a ratio
 *   new-error  an error or fatal template that never appeared before, once there is a baseline to
 *              say "never" (a few buckets of log at least)
 *
 * The baseline starts at the first bucket holding any entry: the empty hours before a log begins
 * are not a rate of zero.
 *
 * The score is -log10 of the chance of seeing that much by luck at the usual rate (6 = one in a
 * million); only the strongest bucket of a template is reported.
 */
export interface TemplateSeries {
  templateId: number;
  template: string;
  subsystem: string;
  /** The most severe level the template was logged at. */
  level: LogLevel;
  /** Entries per bucket, oldest bucket first. */
  counts: readonly number[];
}

export interface AnomalyOptions {
  /** Time of the first bucket's start, epoch ms. */
  start: number;
  bucketMs: number;
  /** Buckets of history needed before a bucket can be judged. */
  minBaselineBuckets?: number;
  /** Minimum score (-log10 p) for a burst. */
  minScore?: number;
  /** Minimum entries in the bucket for a burst. */
  minCount?: number;
  /** Minimum ratio to the baseline rate for a burst. */
  minRatio?: number;
}

export interface Anomaly {
  kind: 'burst' | 'new-error';
  templateId: number;
  template: string;
  subsystem: string;
  level: LogLevel;
  /** Start of the bucket, ISO-8601. */
  at: string;
  observed: number;
  /** Entries the baseline rate predicts for the bucket. */
  expected: number;
  score: number;
  explanation: string;
}

export function detectAnomalies(series: readonly TemplateSeries[], options: AnomalyOptions): Anomaly[] {
  const minScore = options.minScore ?? 6;
  const minCount = options.minCount ?? 5;
  const minRatio = options.minRatio ?? 3;
  const anomalies: Anomaly[] = [];
  // The baseline starts where the log does: hours before the first entry say nothing about rates.
  let first = Infinity;
  for (const s of series) {
    const i = s.counts.findIndex((c) => c > 0);
    if (i >= 0 && i < first) first = i;
  }
  for (const s of series) {
    const n = s.counts.length;
    const minBaseline = options.minBaselineBuckets ?? Math.min(4, Math.max(2, Math.ceil(n / 4)));
    let best: Anomaly | undefined;
    let before = 0;
    for (let b = 0; b < n; b++) {
      const observed = s.counts[b]!;
      const history = b - first;
      if (history >= minBaseline && observed > 0) {
        const at = new Date(options.start + b * options.bucketMs).toISOString();
        const span = describeDuration(history * options.bucketMs);
        if (before === 0 && levelRank(s.level) >= levelRank('error')) {
          // Never seen in the baseline: as surprising as the baseline is long.
          const score = Math.min(20, poissonSurprise(observed, 0.5 / history) + 1);
          if (!best || score > best.score) {
            best = {
              kind: 'new-error',
              templateId: s.templateId,
              template: s.template,
              subsystem: s.subsystem,
              level: s.level,
              at,
              observed,
              expected: 0,
              score,
              explanation: `A new ${s.level} in ${subsystemName(s.subsystem)} appeared at ${describeTime(at)}: ${quote(s.template)}, ${times(observed)} in ${describeDuration(options.bucketMs)}, never in the ${span} before.`,
            };
          }
        } else {
          const expected = before / history;
          const ratio = observed / Math.max(expected, 1 / history);
          const score = poissonSurprise(observed, Math.max(expected, 0.5 / history));
          // A template the baseline never saw is not bursting: its log (or the range) just begins.
          if (before > 0 && observed >= minCount && ratio >= minRatio && score >= minScore && (!best || score > best.score)) {
            const usual = expected < 0.1 ? 'almost never' : `about ${roundForPeople(expected)}`;
            best = {
              kind: 'burst',
              templateId: s.templateId,
              template: s.template,
              subsystem: s.subsystem,
              level: s.level,
              at,
              observed,
              expected,
              score,
              explanation: `${capitalize(subsystemName(s.subsystem))} logged ${quote(s.template)} ${times(observed)} in ${describeDuration(options.bucketMs)} from ${describeTime(at)}, where ${usual} was usual over the ${span} before (${roundForPeople(ratio)}× the rate).`,
            };
          }
        }
      }
      before += observed;
    }
    if (best) anomalies.push(best);
  }
  return anomalies.sort((a, b) => b.score - a.score || levelRank(b.level) - levelRank(a.level));
}

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}
