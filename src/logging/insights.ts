import { poissonSurprise } from './poisson.js';
import { capitalize, describeDuration, describeTime, roundForPeople, subsystemName } from './plainWords.js';

/**
 * Insights: what the logs say, in a sentence, and only when the evidence is strong. Each kind states
 * its own test; nothing is said when the data cannot back it.
 *
 *   version-change  a numeric field (GPS time to lock) moved by ≥ 1.5× between the previous version
 *                   and the newest one: medians of ≥ 5 samples each, and a rank test (Mann-Whitney U,
 *                   p < 0.01) so that two noisy samples with distant medians do not count
 *   error-rate      errors of a subsystem in the recent part of the range vs the earlier part:
 *                   ≥ 3× apart and a Poisson tail p < 1e-4
 *   restarts        3 or more boots in the last 24 hours of the range
 *   crashes         fatal entries (each is a crash record)
 */
export interface NumericSample {
  subsystem: string;
  field: string;
  version: string;
  value: number;
}

export interface InsightInput {
  /** The analysed range, epoch ms. */
  start: number;
  end: number;
  /** The first entry the log holds (epoch ms): hours before it are not hours without errors. */
  logStart?: number;
  /** Versions in the order they first ran (oldest first). */
  versions: readonly string[];
  samples: readonly NumericSample[];
  /** Times (epoch ms) of error and fatal entries, per subsystem. */
  errorTimes: ReadonlyMap<string, readonly number[]>;
  /** Each boot's first entry time, epoch ms. */
  bootStarts: readonly number[];
  fatals: readonly { time: string; subsystem: string; msg: string }[];
}

export interface Insight {
  kind: 'version-change' | 'error-rate' | 'restarts' | 'crashes';
  /** The sentence. */
  text: string;
  /** The numbers behind it. */
  evidence: string;
  severity: 'info' | 'warn' | 'error';
  subsystem?: string;
}

export function findInsights(input: InsightInput): Insight[] {
  return [...crashInsights(input), ...versionInsights(input), ...errorRateInsights(input), ...restartInsights(input)];
}

function versionInsights(input: InsightInput): Insight[] {
  const groups = new Map<string, Map<string, number[]>>();
  for (const s of input.samples) {
    if (!Number.isFinite(s.value)) continue;
    const key = `${s.subsystem}\u0000${s.field}`;
    let byVersion = groups.get(key);
    if (!byVersion) groups.set(key, (byVersion = new Map()));
    let values = byVersion.get(s.version);
    if (!values) byVersion.set(s.version, (values = []));
    values.push(s.value);
  }
  const insights: Insight[] = [];
  for (const [key, byVersion] of groups) {
    const [subsystem, field] = key.split('\u0000') as [string, string];
    const ordered = input.versions.filter((v) => (byVersion.get(v)?.length ?? 0) >= 5);
    if (ordered.length < 2) continue;
    const newer = ordered.at(-1)!;
    const older = ordered.at(-2)!;
    const a = byVersion.get(older)!;
    const b = byVersion.get(newer)!;
    const ma = median(a);
    const mb = median(b);
    if (ma <= 0 || mb <= 0) continue;
    const ratio = mb / ma;
    if (ratio < 1.5 && ratio > 1 / 1.5) continue;
    if (mannWhitneyP(a, b) >= 0.01) continue;
    const quantity = fieldName(field);
    const timed = isDuration(field);
    const up = ratio > 1;
    const factor = roundForPeople(up ? ratio : 1 / ratio);
    const direction = timed ? (up ? 'slower' : 'faster') : up ? 'higher' : 'lower';
    insights.push({
      kind: 'version-change',
      subsystem,
      severity: timed && up ? 'warn' : 'info',
      text: `${capitalize(subsystemName(subsystem))} ${quantity} is ${factor}× ${direction} since ${newer}`,
      evidence: `median ${formatValue(field, mb)} over ${b.length} samples on ${newer}, against ${formatValue(field, ma)} over ${a.length} on ${older}`,
    });
  }
  return insights;
}

function errorRateInsights(given: InsightInput): Insight[] {
  const input = { ...given, start: Math.max(given.start, given.logStart ?? given.start) };
  const span = input.end - input.start;
  if (span <= 0) return [];
  // The recent quarter of the range (from where the log begins) against the three quarters before it.
  const split = input.end - span / 4;
  const insights: Insight[] = [];
  for (const [subsystem, times] of input.errorTimes) {
    let recent = 0;
    let earlier = 0;
    for (const t of times) {
      if (t < input.start || t >= input.end) continue;
      if (t >= split) recent++;
      else earlier++;
    }
    const recentHours = (input.end - split) / 3_600_000;
    const earlierHours = (split - input.start) / 3_600_000;
    const expectedRecent = (earlier / earlierHours) * recentHours;
    const name = subsystemName(subsystem);
    const rateBefore = earlier / earlierHours;
    const rateNow = recent / recentHours;
    const evidence = `${recent} errors in the last ${describeDuration(input.end - split)}, against ${earlier} in the ${describeDuration(split - input.start)} before`;
    if (recent >= 5 && recent >= 3 * Math.max(expectedRecent, 1) && poissonSurprise(recent, Math.max(expectedRecent, 0.5)) >= 4) {
      insights.push({
        kind: 'error-rate',
        subsystem,
        severity: 'error',
        text: `Errors in ${name} rose from ${formatRate(rateBefore)} to ${formatRate(rateNow)}`,
        evidence,
      });
    } else if (
      earlier >= 10 &&
      expectedRecent >= 3 * Math.max(recent, 1) &&
      poissonSurprise(earlier, Math.max(recent, 0.5) * (earlierHours / recentHours)) >= 4
    ) {
      insights.push({
        kind: 'error-rate',
        subsystem,
        severity: 'info',
        text: `Errors in ${name} fell from ${formatRate(rateBefore)} to ${formatRate(rateNow)}`,
        evidence,
      });
    }
  }
  return insights;
}

function restartInsights(input: InsightInput): Insight[] {
  const dayAgo = input.end - 24 * 3_600_000;
  const recent = input.bootStarts.filter((t) => t >= dayAgo && t < input.end && t >= input.start).sort((a, b) => a - b);
  if (recent.length < 3) return [];
  return [
    {
      kind: 'restarts',
      severity: recent.length >= 5 ? 'warn' : 'info',
      text: `The headset started ${recent.length} times in the last ${describeDuration(Math.min(24 * 3_600_000, input.end - input.start))}`,
      evidence: `${recent.length} boots, the first at ${describeTime(new Date(recent[0]!).toISOString())}, the last at ${describeTime(new Date(recent.at(-1)!).toISOString())}`,
    },
  ];
}

function crashInsights(input: InsightInput): Insight[] {
  if (input.fatals.length === 0) return [];
  const last = input.fatals.reduce((a, b) => (b.time > a.time ? b : a));
  const n = input.fatals.length;
  return [
    {
      kind: 'crashes',
      subsystem: last.subsystem,
      severity: 'error',
      text: n === 1 ? `The services crashed once, in ${subsystemName(last.subsystem)}` : `The services crashed ${n} times`,
      evidence: `last at ${describeTime(last.time)} in ${subsystemName(last.subsystem)}: ${last.msg.length > 120 ? `${last.msg.slice(0, 119)}…` : last.msg}`,
    },
  ];
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Two-sided p of the Mann-Whitney U test (normal approximation with tie correction). */
export function mannWhitneyP(a: readonly number[], b: readonly number[]): number {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const n1 = a.length;
  const n2 = b.length;
  const n = n1 + n2;
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k]!.g === 0) rankSumA += rank;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return 1;
  const z = (Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return Math.min(1, 2 * (1 - normalCdf(z)));
}

function normalCdf(z: number): number {
  // Abramowitz-Stegun 7.1.26 on erf.
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

const DURATION_SUFFIX = /(Ms|Millis|Seconds|Sec|S)$/;

function isDuration(field: string): boolean {
  return DURATION_SUFFIX.test(field) || /(duration|latency|time)/i.test(field);
}

/** timeToLockMs -> "time-to-lock"; queueDepth -> "queue depth". */
function fieldName(field: string): string {
  const words = field
    .replace(DURATION_SUFFIX, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .toLowerCase()
    .trim();
  return /^time to /.test(words) ? words.replace(/ /g, '-') : words;
}

function formatValue(field: string, value: number): string {
  if (/Ms$|Millis$/.test(field)) return value >= 1000 ? `${roundForPeople(value / 1000)} s` : `${roundForPeople(value)} ms`;
  if (/(Seconds|Sec|S)$/.test(field)) return `${roundForPeople(value)} s`;
  return roundForPeople(value);
}

function formatRate(perHour: number): string {
  if (perHour >= 1 || perHour === 0) return `${roundForPeople(perHour)}/h`;
  return `${roundForPeople(perHour * 24)}/day`;
}
