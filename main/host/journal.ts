import { redactText } from '../../src/telemetry/anonymize.js';

/**
 * A line for headsetd's stdout or stderr. systemd keeps both in the journal, which outlives the
 * log files' retention and is read by anyone in group adm: it gets the same redaction as the
 * device's own log (passwords, PINs, keys, tokens, e-mail addresses, precise positions).
 */
export function journalLine(text: string): string {
  return `headsetd: ${redactText(text)}`;
}
