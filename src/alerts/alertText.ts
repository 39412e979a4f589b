import type { Alert, AlertActionKind, AlertId, AlertSeverity, ProcessName } from '../api/contract.js';
import type { Condition, ConditionOf } from './rules.js';

/** How serious each alert is, and whether the wearer may put it away (update news only). */
export const ALERT_KINDS: Record<AlertId, { severity: AlertSeverity; dismissible: boolean }> = {
  'temperature-critical': { severity: 'critical', dismissible: false },
  'battery-critical': { severity: 'critical', dismissible: false },
  'crash-loop': { severity: 'critical', dismissible: false },
  'temperature-high': { severity: 'warning', dismissible: false },
  'battery-low': { severity: 'warning', dismissible: false },
  'storage-low': { severity: 'warning', dismissible: false },
  'update-failed': { severity: 'warning', dismissible: true },
  'update-rolled-back': { severity: 'warning', dismissible: true },
  'update-ready': { severity: 'info', dismissible: true },
  'update-available': { severity: 'info', dismissible: true },
  'update-waiting': { severity: 'info', dismissible: true },
  'update-server-unreachable': { severity: 'info', dismissible: true },
  'update-installed': { severity: 'info', dismissible: true },
};

/** A more severe alert of the same family says it all: "too hot" hides "getting hot". */
const HIDDEN_BY: Partial<Record<AlertId, AlertId>> = {
  'temperature-high': 'temperature-critical',
  'battery-low': 'battery-critical',
};

const SEVERITY_RANK: Record<AlertSeverity, number> = { critical: 0, warning: 1, info: 2 };

type Words = Pick<Alert, 'short' | 'title' | 'message'> & { action: { kind: AlertActionKind; label: string } | null };

const OPEN_UPDATES = { kind: 'open-updates', label: 'Open Updates' } as const;

const PROCESS_NAMES: Record<ProcessName, string> = {
  headsetd: 'The headset’s system service',
  'electron-main': 'The settings app',
  renderer: 'The settings screen',
};

/** Plain words for each alert: what is happening, what to do, and the action that helps. */
const WORDS: { [K in AlertId]: (c: ConditionOf<K>) => Words } = {
  'temperature-critical': ({ detail }) => ({
    short: 'Too hot',
    title: 'The headset is too hot',
    message: `It is at ${celsius(detail.celsius)}. Take it off now, close what is running and let it cool down out of the sun.`,
    action: null,
  }),
  'temperature-high': ({ detail }) => ({
    short: 'Getting hot',
    title: 'The headset is getting hot',
    message: `It is at ${celsius(detail.celsius)}. Take a break or close demanding apps so it can cool down.`,
    action: null,
  }),
  'battery-critical': ({ detail }) => ({
    short: 'Battery empty',
    title: 'The battery is almost empty',
    message: `${percent(detail.percent)} left. Plug in the charger now, or the headset will switch off.`,
    action: null,
  }),
  'battery-low': ({ detail }) => ({
    short: 'Battery low',
    title: 'The battery is low',
    message: `${percent(detail.percent)} left. Plug in the charger soon.`,
    action: null,
  }),
  'storage-low': ({ detail }) => ({
    short: 'Storage full',
    title: 'Storage is almost full',
    message: `Only ${gigabytes(detail.freeBytes)} (${percent(detail.freePercent)}) is free. Updates may not fit: remove what you no longer need.`,
    action: null,
  }),
  'crash-loop': ({ detail }) => ({
    short: 'Keeps stopping',
    title: 'Something keeps stopping',
    message: `${PROCESS_NAMES[detail.process]} stopped ${times(detail.count)} in the last ${detail.windowMinutes} minutes. If it goes on, restart the headset; the logs say what happened.`,
    action: { kind: 'open-logs', label: 'Open Logs' },
  }),
  'update-ready': ({ detail }) => ({
    short: 'Restart to update',
    title: 'Restart to finish the update',
    message: `System ${detail.version} is installed. Restart the headset to start using it.`,
    action: { kind: 'restart-update', label: 'Restart now' },
  }),
  'update-available': ({ detail }) => ({
    short: 'Update available',
    title: 'An update is available',
    message: detail.downloaded
      ? `System ${detail.version} is downloaded and ready to install.`
      : `System ${detail.version} is ready to download. Nothing changes until you choose to install it.`,
    action: OPEN_UPDATES,
  }),
  'update-failed': ({ detail }) => ({
    short: 'Update failed',
    title: 'The update did not finish',
    message: `${sentence(detail.message)} The system you have keeps working; you can try again from Updates.`,
    action: OPEN_UPDATES,
  }),
  'update-rolled-back': ({ detail }) => ({
    short: 'Update undone',
    title: 'The new system did not start',
    message: `The headset went back to ${detail.version ? `system ${detail.version}` : 'the system it had before'}, which works as before.`,
    action: OPEN_UPDATES,
  }),
  'update-waiting': ({ detail }) => ({
    short: 'Update waiting',
    title: 'The update download is waiting',
    message:
      detail.waitingFor === 'network'
        ? `The download of system ${detail.version} goes on when the headset is online again.`
        : `The download of system ${detail.version} goes on over a network that is not metered (downloads over metered networks are off in Updates).`,
    action: OPEN_UPDATES,
  }),
  'update-server-unreachable': ({ detail }) => ({
    short: 'Update server out of reach',
    title: 'The update server cannot be reached',
    message: detail.version
      ? `The download of system ${detail.version} goes on when the server answers again; the headset keeps trying.`
      : 'The headset could not ask for updates. It tries again later by itself; check the network if this goes on.',
    action: OPEN_UPDATES,
  }),
  'update-installed': ({ detail }) =>
    detail.back
      ? {
          short: `System ${detail.version}`,
          title: `You are back on System ${detail.version}`,
          message: `The headset went back from System ${detail.fromVersion}, as you asked, and started properly.`,
          action: null,
        }
      : {
          short: `System ${detail.version}`,
          title: `You are now on System ${detail.version}`,
          message: `The update from System ${detail.fromVersion} is finished and the headset started properly.`,
          action: null,
        },
};

export function describeCondition(condition: Condition): Alert {
  const words = (WORDS[condition.id] as (c: Condition) => Words)(condition);
  return { id: condition.id, ...ALERT_KINDS[condition.id], ...words, since: condition.since };
}

/**
 * The alerts to show for the raised conditions: those the wearer dismissed (for the same subject)
 * and those a more severe one of their family covers left out; most severe first, then newest.
 */
export function presentAlerts(conditions: Iterable<Condition>, dismissed: ReadonlyMap<AlertId, string>): Alert[] {
  const raised = new Map([...conditions].map((c) => [c.id, c]));
  return [...raised.values()]
    .filter((c) => dismissed.get(c.id) !== c.subject)
    .filter((c) => {
      const coveredBy = HIDDEN_BY[c.id];
      return !coveredBy || !raised.has(coveredBy);
    })
    .map(describeCondition)
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.since.localeCompare(a.since) || a.id.localeCompare(b.id));
}

function celsius(value: number): string {
  return `${Math.round(value)}\u00a0°C`;
}

function percent(value: number): string {
  // Never "0 % left" for a battery with a little charge, never "5 %" for 4.6 % of a critical level.
  const shown = value > 0 && value < 1 ? '<1' : String(Math.floor(value));
  return `${shown}\u00a0%`;
}

function gigabytes(bytes: number): string {
  const gb = bytes / 1e9;
  return gb >= 10 ? `${Math.round(gb)}\u00a0GB` : gb >= 1 ? `${gb.toFixed(1)}\u00a0GB` : `${Math.round(bytes / 1e6)}\u00a0MB`;
}

function times(count: number): string {
  return count === 1 ? 'once' : count === 2 ? 'twice' : `${count} times`;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return 'Something went wrong.';
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
