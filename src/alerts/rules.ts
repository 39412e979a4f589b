import type { AlertId, BootStatus, HealthSnapshot, ProcessName, UpdateHistoryEntry, UpdateStatus } from '../api/contract.js';
import { compareVersions } from '../update/version.js';
import type { AlertThresholds, HighLevel, LowLevel } from './thresholds.js';

/** What the rules read; a part left undefined is not known yet, and leaves its alerts as they are. */
export interface AlertFacts {
  health?: HealthSnapshot;
  update?: UpdateStatus;
  boot?: BootStatus;
  /** The crash records kept on the headset (any order). */
  crashes?: readonly { time: string; process: ProcessName }[];
  /** The update history, newest first. */
  installs?: readonly UpdateHistoryEntry[];
}

/** The values each alert's words use. */
export interface AlertDetails {
  'temperature-critical': { celsius: number };
  'temperature-high': { celsius: number };
  'battery-critical': { percent: number };
  'battery-low': { percent: number };
  'storage-low': { freeBytes: number; freePercent: number };
  'crash-loop': { count: number; windowMinutes: number; process: ProcessName };
  'update-ready': { version: string };
  'update-available': { version: string; downloaded: boolean };
  'update-failed': { code: string; message: string };
  'update-rolled-back': { version: string | null };
  'update-waiting': { version: string; waitingFor: 'network' | 'unmetered-network' };
  /** `version` and `bytes`: a download stalled on the server (at `bytes`); null: a check failed. */
  'update-server-unreachable': { version: string | null; bytes: number };
  /** `back`: the wearer went back to an older version (a kept one reinstalled). */
  'update-installed': { version: string; fromVersion: string; back: boolean };
}

/**
 * A raised condition: since when, and what it is about. A new `subject` (another version offered,
 * another failure) is a new raise: it gets a new `since`, shows again if dismissed, takes focus again.
 */
export type Condition = { [K in AlertId]: { id: K; since: string; subject: string; detail: AlertDetails[K] } }[AlertId];
export type ConditionOf<K extends AlertId> = Extract<Condition, { id: K }>;

/** A rule's verdict: the condition holds (about this subject, with these values), does not, or the facts are not known yet. */
type Verdict<K extends AlertId> = { subject: string; detail: AlertDetails[K] } | null | typeof UNKNOWN;
const UNKNOWN = Symbol('unknown');

type Rule<K extends AlertId> = (raised: ConditionOf<K> | undefined, facts: AlertFacts, thresholds: AlertThresholds, now: Date) => Verdict<K>;

/** A high reading: raised at `raiseAt`, held until it falls below `clearBelow`. */
export function holdsHigh(raised: boolean, value: number, level: HighLevel): boolean {
  return raised ? value >= level.clearBelow : value >= level.raiseAt;
}

/** A low reading: raised at `raiseAt` or below, held until it is back at `clearAt`. */
export function holdsLow(raised: boolean, value: number, level: LowLevel): boolean {
  return raised ? value < level.clearAt : value <= level.raiseAt;
}

const temperature =
  (level: 'high' | 'critical'): Rule<'temperature-high' | 'temperature-critical'> =>
  (raised, { health }, thresholds) => {
    if (!health) return UNKNOWN;
    const celsius = health.temperatureC;
    if (celsius === null || !holdsHigh(raised !== undefined, celsius, thresholds.temperature[level])) return null;
    return { subject: '', detail: { celsius } };
  };

const battery =
  (level: 'low' | 'critical'): Rule<'battery-low' | 'battery-critical'> =>
  (raised, { health }, thresholds) => {
    if (!health) return UNKNOWN;
    const reading = health.battery;
    // Charging: the level is going the right way; unplugging below the threshold raises it again.
    if (!reading || reading.charging || !holdsLow(raised !== undefined, reading.percent, thresholds.battery[level])) return null;
    return { subject: '', detail: { percent: reading.percent } };
  };

const storage: Rule<'storage-low'> = (raised, { health }, thresholds) => {
  if (!health) return UNKNOWN;
  const { usedBytes, totalBytes } = health.disk;
  if (totalBytes <= 0) return null;
  const freeBytes = Math.max(0, totalBytes - usedBytes);
  const freePercent = (freeBytes / totalBytes) * 100;
  if (!holdsLow(raised !== undefined, freePercent, thresholds.storageFreePercent)) return null;
  return { subject: '', detail: { freeBytes, freePercent } };
};

const crashLoop: Rule<'crash-loop'> = (raised, { crashes }, thresholds, now) => {
  if (!crashes) return UNKNOWN;
  const { windowMinutes } = thresholds.crashLoop;
  const from = now.getTime() - windowMinutes * 60_000;
  const recent = crashes.filter((c) => {
    const at = Date.parse(c.time);
    return at > from && at <= now.getTime();
  });
  // Raised at `crashes` within the window; held until a whole window passes without one.
  if (recent.length < (raised ? 1 : thresholds.crashLoop.crashes)) return null;
  return { subject: '', detail: { count: recent.length, windowMinutes, process: mostFrequent(recent.map((c) => c.process)) } };
};

/**
 * The update rules read the pushed update state. While a check runs, what it will find is not
 * known yet: the update alerts stay as they are (a failing periodic check does not flap its alert).
 */
const updateRule =
  <K extends AlertId>(verdict: (update: UpdateStatus, raised: ConditionOf<K> | undefined) => Verdict<K>): Rule<K> =>
  (raised, { update }) => {
    if (!update) return UNKNOWN;
    if (update.state.status === 'checking') return UNKNOWN;
    return verdict(update, raised);
  };

const updateAvailable = updateRule<'update-available'>(({ state }) =>
  state.status === 'available' || state.status === 'downloaded'
    ? { subject: state.offer.version, detail: { version: state.offer.version, downloaded: state.status === 'downloaded' } }
    : null,
);

const updateReady = updateRule<'update-ready'>(({ state }) =>
  state.status === 'ready-to-reboot' ? { subject: state.version, detail: { version: state.version } } : null,
);

const CHECK_FAILED = 'UPDATE_CHECK_FAILED';

const updateFailed = updateRule<'update-failed'>(({ state }) =>
  state.status === 'failed' && state.error.code !== CHECK_FAILED
    ? { subject: `${state.error.code}: ${state.error.message}`, detail: { code: state.error.code, message: state.error.message } }
    : null,
);

const updateWaiting = updateRule<'update-waiting'>(({ state }) =>
  state.status === 'downloading' && !state.paused && (state.waitingFor === 'network' || state.waitingFor === 'unmetered-network')
    ? { subject: state.offer.version, detail: { version: state.offer.version, waitingFor: state.waitingFor } }
    : null,
);

/**
 * The update server out of reach: a check failed, or a download waits to retry. A download's
 * retries come and go between attempts, so once raised the alert holds until bytes arrive again.
 */
const updateServerUnreachable = updateRule<'update-server-unreachable'>(({ state }, raised) => {
  if (state.status === 'failed') return state.error.code === CHECK_FAILED ? { subject: 'check', detail: { version: null, bytes: 0 } } : null;
  if (state.status !== 'downloading' || state.paused) return null;
  const subject = `download ${state.offer.version}`;
  if (state.waitingFor === 'retry') {
    const bytes = raised?.subject === subject ? raised.detail.bytes : state.bytes;
    return { subject, detail: { version: state.offer.version, bytes } };
  }
  if (raised?.subject === subject && state.waitingFor === null && state.bytes <= raised.detail.bytes) return { subject, detail: raised.detail };
  return null;
});

const rolledBack: Rule<'update-rolled-back'> = (_raised, { boot }) => {
  if (!boot) return UNKNOWN;
  if (!boot.fellBack) return null;
  const version = boot.slots.find((slot) => slot.name === boot.activeSlot)?.version ?? null;
  // One per boot: the next boot that falls back is news again.
  return { subject: boot.bootId, detail: { version } };
};

/** How long "You are now on …" stays when the wearer does not put it away. */
const INSTALLED_NEWS_MS = 24 * 3_600_000;

/**
 * A new system runs: the newest entry of the history is the commit of the version running now
 * (an update that started properly, or a kept version gone back to), for a day or until dismissed.
 */
const updateInstalled: Rule<'update-installed'> = (_raised, { installs, update }, _thresholds, now) => {
  if (!installs || !update) return UNKNOWN;
  const newest = installs[0];
  if (!newest || newest.outcome !== 'committed' || newest.version !== update.current.version) return null;
  if (now.getTime() - Date.parse(newest.finishedAt) > INSTALLED_NEWS_MS) return null;
  return {
    subject: `${newest.version}@${newest.finishedAt}`,
    detail: { version: newest.version, fromVersion: newest.fromVersion, back: compareVersions(newest.version, newest.fromVersion) < 0 },
  };
};

const RULES: { [K in AlertId]: Rule<K> } = {
  'temperature-critical': temperature('critical') as Rule<'temperature-critical'>,
  'temperature-high': temperature('high') as Rule<'temperature-high'>,
  'battery-critical': battery('critical') as Rule<'battery-critical'>,
  'battery-low': battery('low') as Rule<'battery-low'>,
  'storage-low': storage,
  'crash-loop': crashLoop,
  'update-ready': updateReady,
  'update-available': updateAvailable,
  'update-failed': updateFailed,
  'update-rolled-back': rolledBack,
  'update-waiting': updateWaiting,
  'update-server-unreachable': updateServerUnreachable,
  'update-installed': updateInstalled,
};

/**
 * The conditions that hold after `facts`, given those raised before: each rule's thresholds and
 * hysteresis decide; a condition that goes on keeps its `since`, one with a new subject starts anew.
 */
export function evaluateConditions(
  raised: ReadonlyMap<AlertId, Condition>,
  facts: AlertFacts,
  thresholds: AlertThresholds,
  now: Date,
): Map<AlertId, Condition> {
  const next = new Map<AlertId, Condition>();
  for (const id of Object.keys(RULES) as AlertId[]) {
    const before = raised.get(id);
    const verdict = (RULES[id] as Rule<AlertId>)(before as ConditionOf<AlertId> | undefined, facts, thresholds, now);
    if (verdict === UNKNOWN) {
      if (before) next.set(id, before);
    } else if (verdict) {
      const since = before && before.subject === verdict.subject ? before.since : now.toISOString();
      next.set(id, { id, since, subject: verdict.subject, detail: verdict.detail } as Condition);
    }
  }
  return next;
}

function mostFrequent<T>(items: readonly T[]): T {
  const counts = new Map<T, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}
