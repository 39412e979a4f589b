const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}

/** Megabytes with one decimal, for sizes compared with each other ("1.2 MB of 3.0 MB"). */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

export function formatAge(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 2) return 'just now';
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

/**
 * The locale every date, time and number on the screens is written in: the one chosen in setup's
 * language step (English words, that region's formats), or the system's until one is chosen.
 */
let locale: string | undefined;
let DATE_TIME = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : DATE_TIME.format(time);
}

/** A duration in words, rounded up: "12 s", "4 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.ceil(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.ceil(seconds / 60)} min`;
  return `${Math.ceil(seconds / 3600)} h`;
}

let CLOCK = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
let CLOCK_SECONDS = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
let DAY_CLOCK = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
let DAY_CLOCK_SECONDS = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
let DAY = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' });

/** Writes every later date, time and number in `next`'s formats (undefined: the system's). */
export function setFormatLocale(next: string | undefined): void {
  if (next === locale) return;
  locale = next;
  DATE_TIME = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  CLOCK = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  CLOCK_SECONDS = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  DAY_CLOCK = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  DAY_CLOCK_SECONDS = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  DAY = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' });
}

export function formatLocale(): string | undefined {
  return locale;
}

/** A number in the chosen formats ("1,234.5", "1,23,456.7"). */
export function formatNumber(value: number, digits = 1): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
}

/**
 * A moment in the headset's local time zone, the one every screen shows times in: "14:05" today,
 * "Mar 3, 14:05" on other days; `seconds` for log lines, `dayOnly` for month-long axes.
 */
export function formatLocalTime(iso: string, options: { seconds?: boolean; dayOnly?: boolean; now?: number } = {}): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  if (options.dayOnly) return DAY.format(time);
  const today = new Date(options.now ?? Date.now()).toDateString() === new Date(time).toDateString();
  return (today ? (options.seconds ? CLOCK_SECONDS : CLOCK) : options.seconds ? DAY_CLOCK_SECONDS : DAY_CLOCK).format(time);
}
