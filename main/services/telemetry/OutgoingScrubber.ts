import { redactSecretsIn } from '../../../src/secrets/redactSecretsIn.js';
import type { SecretRedactor } from '../../../src/secrets/SecretRegistry.js';
import { scrubFields, scrubText, scrubValue, type Scrubbed } from '../../../src/telemetry/anonymize.js';

/**
 * Free text and values as they may leave the device: the registered secrets cut out by value
 * first, then personal data scrubbed. Log entries and crash records were redacted when written; a
 * secret registered since was not.
 */
export class OutgoingScrubber {
  constructor(private readonly secrets?: SecretRedactor) {}

  text(text: string): string {
    return scrubText(this.secrets ? this.secrets.redact(text) : text);
  }

  fields(fields: Record<string, unknown>): Record<string, Scrubbed> {
    return scrubFields(this.unsecret(fields) as Record<string, unknown>);
  }

  value(value: unknown): Scrubbed {
    return scrubValue(this.unsecret(value));
  }

  private unsecret(value: unknown): unknown {
    return this.secrets ? redactSecretsIn(value, this.secrets) : value;
  }
}
