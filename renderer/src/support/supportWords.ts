import type { SupportEndReason, SupportProblem, SupportStatus } from '../../../src/api/contract.js';

/** "54 minutes", "1 hour 5 minutes", "40 seconds": the time left, rounded up to the minute past one. */
export function timeLeftWords(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  const minutes = Math.ceil(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const m = (n: number) => `${n} ${n === 1 ? 'minute' : 'minutes'}`;
  if (hours === 0) return m(minutes);
  const h = `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
  return rest === 0 ? h : `${h} ${m(rest)}`;
}

/** A duration the wearer picks, in words ("30 minutes", "1 hour", "24 hours"). */
export function durationWords(minutes: number): string {
  return timeLeftWords(minutes * 60_000);
}

/** The clock time a session started, as the headset shows times ("14:05"). */
export function sinceWords(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

const PROBLEM_WORDS: Record<SupportProblem, string> = {
  'relay-unreachable': 'The support service cannot be reached.',
  'relay-refused': 'The support service did not let the headset in.',
  'relay-host-key': 'The support service is not the one this headset knows, so the headset did not connect.',
  'forward-refused': 'The support service refused the connection to this headset.',
  'tunnel-lost': 'The connection to the support service was lost.',
  'tunnel-failed': 'The connection to the support service failed.',
};

export function problemWords(problem: SupportProblem): string {
  return PROBLEM_WORDS[problem];
}

const END_WORDS: Record<SupportEndReason, string> = {
  wearer: 'You stopped it.',
  switch: 'The support switch was turned off.',
  timer: 'Its time ran out.',
  idle: 'Support did nothing for a while, so it ended.',
  restart: 'The headset restarted.',
  'relay-host-key': PROBLEM_WORDS['relay-host-key'],
  failed: 'It could not be set up.',
};

export function endWords(reason: SupportEndReason): string {
  return END_WORDS[reason];
}

/** The banner's first line: what is going on, in plain words. */
export function stateWords(status: SupportStatus, retryLeftMs: number | null): string {
  const who = status.session?.who ?? 'Support';
  switch (status.state) {
    case 'connecting':
      return `Connecting to ${who}…`;
    case 'active':
      return `${who} can read this headset's logs and settings.`;
    case 'reconnecting':
      return retryLeftMs !== null && retryLeftMs > 0
        ? `Connection to ${who} lost. Trying again in ${timeLeftWords(retryLeftMs)}.`
        : `Connection to ${who} lost. Trying again…`;
    default:
      return 'Remote support is off.';
  }
}
