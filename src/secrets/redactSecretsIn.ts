import { REDACTED } from '../telemetry/anonymize.js';
import type { SecretRedactor } from './SecretRegistry.js';

const MAX_DEPTH = 64;

/**
 * A structured value (a log entry's fields, a parsed line, a telemetry record) with the registered
 * secrets cut out of every string and every key; a number whose digits hold one (a PIN given as a
 * number) becomes the marker. Works on decoded values, so escaping never splits a match.
 */
export function redactSecretsIn(value: unknown, secrets: SecretRedactor, depth = 0): unknown {
  if (typeof value === 'string') return secrets.redact(value);
  if (typeof value === 'number' || typeof value === 'bigint') return secrets.holds(String(value)) ? REDACTED : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.map((item) => redactSecretsIn(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[secrets.redact(key)] = redactSecretsIn(item, secrets, depth + 1);
  return out;
}
