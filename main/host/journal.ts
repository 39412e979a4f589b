import type { SecretRedactor } from '../../src/secrets/SecretRegistry.js';
import { redactText } from '../../src/telemetry/anonymize.js';

/**
 * A line for headsetd's stdout or stderr. systemd keeps both in the journal, which outlives the
 * log files' retention and is read by anyone in group adm: it gets the same redaction as the
 * device's own log (the registered secrets by value; passwords, PINs, keys, tokens, e-mail
 * addresses, precise positions by pattern).
 */
export function journalLine(text: string, secrets?: SecretRedactor): string {
  return `headsetd: ${redactText(secrets ? secrets.redact(text) : text)}`;
}
