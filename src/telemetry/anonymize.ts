import { encodeGeohash } from './geohash.js';

/**
 * Anonymization applied before anything leaves the process (telemetry, forwarded logs, crash
 * records): personal data in free text and in structured fields is replaced by a marker naming
 * what was there, secrets by field name are redacted, free-text fields are dropped, positions are
 * coarsened, times are bucketed. Over-redaction is accepted; a leak is not.
 */
export const REDACTED = '[redacted]';
const MAX_TEXT = 2048;
const MAX_DEPTH = 8;
const MAX_ITEMS = 100;

// ---- free text ------------------------------------------------------------------------------

// The keyword may end a quoted JSON or Python key (`"password": "x"`, `'psk': 'x'`, also escaped `\"`).
const SECRET_IN_TEXT =
  /\b([\w.-]*?(?:password|passwd|passphrase|psk|pin|token|secret|key))(\\?["']?\s*[:=]\s*|\s+is\s+)(?:(["'])(?:(?!\3).)*\3|[^\s,;]+)/gi;
// HTTP credentials: an Authorization header's whole value (any scheme; to the end of the line
// unless quoted), and Bearer/Basic tokens anywhere.
const AUTHORIZATION_HEADER = /\b((?:proxy-)?authorization)(\\?["']?\s*[:=]\s*)(?:(["'])(?:(?!\3).)*\3|[^\r\n]+)/gi;
const AUTH_SCHEME_TOKEN = /\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/-]+=*/gi;
const SECRET_WORD_THEN_VALUE = /\b(password|passwd|passphrase|psk|pin)(\s+)(?:(["'])(?:(?!\3).)*\3|[^\s,;]+)/gi;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const SSID_QUOTED = /\b(E?SSID|network|Wi-?Fi)(\s*[:=]?\s*)(["'‘“])(?:(?!["'’”]).)*["'’”]/gi;
const SSID_BARE = /\b(E?SSID)(\s*[:=]\s*)[^\s,;]+/gi;
const MAC = /\b[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}\b/g;
const IPV4 = /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b/g;
const IPV6_CANDIDATE = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4})(?:%[\w.]+)?(?![\w:])/g;
const HOME_PATH = /(\/home\/|\/Users\/|\/var\/home\/|[A-Za-z]:\\Users\\)([^/\\\s'"]+)/g;
const SERIAL = /\b(serial(?:[\s_-]*(?:number|no\.?|num))?|S\/N|SN)(\s*[:=#]\s*|\s+)([A-Za-z0-9][A-Za-z0-9-]{3,})/gi;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const COORDINATE_PAIR = /-?\d{1,3}\.\d{3,}\s*[,;/ ]\s*-?\d{1,3}\.\d{3,}/g;
const COORDINATE_NAMED = /\b(lat|latitude|lon|lng|long|longitude)(\s*[:=]\s*)-?\d+(?:\.\d+)?/gi;

/** Scrubs personal data out of a piece of free text. */
export function scrubText(text: string): string {
  let out = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
  out = out.replace(SECRET_IN_TEXT, (_m, word: string, sep: string) => `${word}${sep}${REDACTED}`);
  out = out.replace(SECRET_WORD_THEN_VALUE, (_m, word: string, sep: string) => `${word}${sep}${REDACTED}`);
  out = redactAuthorization(out);
  out = out.replace(EMAIL, '[email]');
  out = out.replace(SSID_QUOTED, (_m, word: string, sep: string) => `${word}${sep}[ssid]`);
  out = out.replace(SSID_BARE, (_m, word: string, sep: string) => `${word}${sep}[ssid]`);
  out = out.replace(MAC, '[mac]');
  out = out.replace(UUID, '[id]');
  out = out.replace(IPV6_CANDIDATE, (match) => (match.includes('::') || match.split(':').length > 5 ? '[ip]' : match));
  out = out.replace(IPV4, '[ip]');
  out = out.replace(HOME_PATH, (_m, prefix: string) => `${prefix}[user]`);
  out = out.replace(SERIAL, (_m, word: string, sep: string) => `${word}${sep}[serial]`);
  out = out.replace(COORDINATE_NAMED, (_m, word: string, sep: string) => `${word}${sep}[position]`);
  out = out.replace(COORDINATE_PAIR, '[position]');
  return out;
}

function redactAuthorization(text: string): string {
  return text
    .replace(AUTHORIZATION_HEADER, (_m, word: string, sep: string) => `${word}${sep}${REDACTED}`)
    .replace(AUTH_SCHEME_TOKEN, (_m, scheme: string, sep: string) => `${scheme}${sep}${REDACTED}`);
}

// ---- structured fields ----------------------------------------------------------------------

type KeyClass = 'secret' | 'ssid' | 'serial' | 'free-text' | 'user' | 'position' | 'plain';

const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'psk',
  'pin',
  'puk',
  'token',
  'key',
  'secret',
  'credential',
  'credentials',
  'auth',
  'authorization',
  'cookie',
  'otp',
  'apikey',
  'privatekey',
  'wpa',
]);
const SECRET_SUBSTRINGS = ['password', 'passphrase', 'secret', 'token', 'credential', 'apikey', 'privatekey'];
const SSID_WORDS = new Set(['ssid', 'bssid', 'essid', 'wifi', 'wlan', 'hotspot']);
const SERIAL_WORDS = new Set(['serial', 'imei', 'iccid', 'imsi', 'sn']);
const FREE_TEXT_WORDS = new Set([
  'note',
  'notes',
  'comment',
  'comments',
  'feedback',
  'text',
  'freetext',
  'input',
  'query',
  'search',
  'description',
  'body',
  'content',
  'clipboard',
  'transcript',
]);
const USER_WORDS = new Set(['user', 'username', 'login', 'owner', 'hostname', 'email', 'mail', 'phone', 'address', 'fullname']);
const POSITION_WORDS = new Set([
  'lat',
  'latitude',
  'lon',
  'lng',
  'long',
  'longitude',
  'altitude',
  'coords',
  'coordinates',
  'position',
  'gps',
  'location',
  'fix',
]);

function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function classifyKey(key: string): KeyClass {
  const parts = words(key);
  const flat = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (parts.some((w) => SECRET_WORDS.has(w)) || SECRET_SUBSTRINGS.some((s) => flat.includes(s))) return 'secret';
  if (parts.some((w) => SSID_WORDS.has(w))) return 'ssid';
  if (parts.some((w) => SERIAL_WORDS.has(w))) return 'serial';
  if (parts.some((w) => POSITION_WORDS.has(w))) return 'position';
  if (parts.some((w) => USER_WORDS.has(w))) return 'user';
  if (parts.some((w) => FREE_TEXT_WORDS.has(w))) return 'free-text';
  return 'plain';
}

export type Scrubbed = string | number | boolean | null | Scrubbed[] | { [key: string]: Scrubbed };

/** Scrubs any value: strings as free text, objects field by field, depth and size bounded. */
export function scrubValue(value: unknown, depth = 0): Scrubbed {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return scrubText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean') return value;
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((item) => scrubValue(item, depth + 1));
  if (typeof value === 'object') return scrubFields(value as Record<string, unknown>, depth + 1);
  return scrubText(String(value));
}

/**
 * Scrubs structured fields: secrets redacted, SSIDs, serials and user names replaced, free-text
 * fields dropped, a latitude/longitude pair replaced by its 5-character geohash (other position
 * fields dropped), everything else scrubbed as a value. Keys are scrubbed too.
 */
export function scrubFields(fields: Record<string, unknown>, depth = 0): Record<string, Scrubbed> {
  const out: Record<string, Scrubbed> = {};
  const pair = findPosition(fields);
  if (pair) out.geohash = encodeGeohash(pair.latitude, pair.longitude, 5);
  let count = 0;
  for (const [key, value] of Object.entries(fields)) {
    if (++count > MAX_ITEMS) break;
    const safeKey = scrubText(key).slice(0, 64);
    switch (classifyKey(key)) {
      case 'secret':
        out[safeKey] = REDACTED;
        break;
      case 'ssid':
        out[safeKey] = '[ssid]';
        break;
      case 'serial':
        out[safeKey] = '[serial]';
        break;
      case 'user':
        out[safeKey] = '[user]';
        break;
      case 'free-text':
      case 'position':
        break; // dropped (a position pair is already in `geohash`)
      case 'plain':
        out[safeKey] = scrubValue(value, depth);
    }
  }
  return out;
}

function findPosition(fields: Record<string, unknown>): { latitude: number; longitude: number } | undefined {
  let latitude: number | undefined;
  let longitude: number | undefined;
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value !== 'number') continue;
    const k = key.toLowerCase();
    if (k === 'lat' || k === 'latitude') latitude = value;
    if (k === 'lon' || k === 'lng' || k === 'long' || k === 'longitude') longitude = value;
  }
  if (latitude === undefined || longitude === undefined || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  return { latitude, longitude };
}

// ---- location and time ----------------------------------------------------------------------

export interface GeoPoint {
  latitude: number;
  longitude: number;
}

/** A route the vendor publishes (a race circuit, a trail): snapping to it reveals nothing new. */
export interface KnownTrack {
  id: string;
  points: GeoPoint[];
}

export type CoarseLocation = { geohash: string } | { track: string; point: number };

/** Metres between two points (haversine, mean Earth radius). */
export function distanceMeters(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The location telemetry may carry: the nearest point of a known track when the fix is within
 * `snapWithinMeters` of one, else the 5-character geohash cell (about 5 km).
 */
export function coarsenLocation(fix: GeoPoint, tracks: readonly KnownTrack[] = [], snapWithinMeters = 150): CoarseLocation {
  let best: { track: string; point: number; distance: number } | undefined;
  for (const track of tracks) {
    track.points.forEach((point, index) => {
      const distance = distanceMeters(fix, point);
      if (distance <= snapWithinMeters && (!best || distance < best.distance)) best = { track: track.id, point: index, distance };
    });
  }
  return best ? { track: best.track, point: best.point } : { geohash: encodeGeohash(fix.latitude, fix.longitude, 5) };
}

/** The start of the hour (UTC) a time falls in: usage timestamps say when to the hour, no closer. */
export function bucketToHour(time: Date): Date {
  const bucket = new Date(time.getTime());
  bucket.setUTCMinutes(0, 0, 0);
  return bucket;
}

// ---- the device's own log ---------------------------------------------------------------------

/**
 * The lighter redaction for the device's own log, which stays on the device for diagnostics:
 * secrets (by field name, and after password/PIN/psk/key/token in text), e-mail addresses and
 * precise positions go; addresses, SSIDs and paths stay for troubleshooting (they are scrubbed
 * before anything is forwarded).
 */
export function redactText(text: string): string {
  return redactAuthorization(
    text
      .replace(SECRET_IN_TEXT, (_m, word: string, sep: string) => `${word}${sep}${REDACTED}`)
      .replace(SECRET_WORD_THEN_VALUE, (_m, word: string, sep: string) => `${word}${sep}${REDACTED}`),
  )
    .replace(EMAIL, '[email]')
    .replace(COORDINATE_NAMED, (_m, word: string, sep: string) => `${word}${sep}[position]`)
    .replace(COORDINATE_PAIR, '[position]');
}

export function redactFields(fields: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const pair = findPosition(fields);
  if (pair) out.geohash = encodeGeohash(pair.latitude, pair.longitude, 5);
  for (const [key, value] of Object.entries(fields)) {
    const kind = classifyKey(key);
    if (kind === 'secret') out[key] = REDACTED;
    else if (kind === 'position' && (pair || typeof value === 'number' || typeof value === 'object')) continue;
    else out[key] = redactValue(value, depth + 1);
  }
  return out;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  return redactFields(value as Record<string, unknown>, depth);
}

/**
 * A cheap test of a whole JSON log line: false means redaction would change nothing, so the
 * line is written as is (most lines). True only asks for the full check.
 */
const MAY_NEED_REDACTION =
  /@|pass|psk|pin|secret|token|key|credential|auth|bearer|basic|cookie|otp|puk|wpa|\d\.\d{4}|"(?:lat|lon|lng|long|latitude|longitude|altitude|coords|coordinates|position|gps|location|fix)"\s*:/i;

export function mayNeedRedaction(line: string): boolean {
  return MAY_NEED_REDACTION.test(line);
}
