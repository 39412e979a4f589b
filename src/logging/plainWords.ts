/** Small helpers that turn numbers and times into the words insights and anomalies are told in. */

const UNITS: [number, string][] = [
  [24 * 3_600_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1000, 'second'],
];

/** "10 minutes", "3 hours", "1.5 days"; milliseconds below a second. */
export function describeDuration(ms: number): string {
  for (const [size, name] of UNITS) {
    if (ms >= size) {
      const n = Math.round((ms / size) * 10) / 10;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${Math.round(ms)} ms`;
}

/** "2026-03-01 14:20 UTC" */
export function describeTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A template or message in quotes, cut to a readable length. */
export function quote(text: string, max = 80): string {
  return `“${text.length > max ? `${text.slice(0, max - 1)}…` : text}”`;
}

/** The parts of the headset as a sentence names them (the log's own names are for engineers). */
const PART_NAMES: Record<string, string> = {
  system: 'the system',
  boot: 'start-up',
  api: 'the service link',
  update: 'updates',
  identity: 'device identity',
  health: 'health monitoring',
  ui: 'the interface',
  network: 'the network',
  reset: 'factory reset',
  gps: 'GPS',
  imu: 'the motion sensor',
  led: 'the lights',
};

/** How a subsystem is named in a sentence: "GPS", "updates", "the motion sensor". */
export function subsystemName(subsystem: string): string {
  return PART_NAMES[subsystem] ?? subsystem;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A number with at most one decimal under 10, none above. */
export function roundForPeople(x: number): string {
  return Math.abs(x) >= 10 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);
}
