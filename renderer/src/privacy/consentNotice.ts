import type { TelemetryOutboxStatus } from '../../../src/api/contract.js';

/** The last change made on the Privacy screen, worded when shown (the outbox may be read later). */
export interface ConsentChange {
  title: string;
  on: boolean;
}

/**
 * What a change did, in words that match the outbox: a deletion request is only "queued to be sent"
 * when a receiver is configured; without one it waits on the headset (nothing leaves it).
 */
export function consentNotice({ title, on }: ConsentChange, outbox: TelemetryOutboxStatus | undefined): string {
  if (on) return `${title} is on.`;
  const deletion = !outbox
    ? 'a deletion request is queued on the headset'
    : outbox.endpoint
      ? 'a deletion request is queued to be sent'
      : 'a deletion request will be sent when a receiver is set (none is set, so nothing has left the headset)';
  return `${title} is off: nothing more is collected, what was waiting to be sent is deleted, and ${deletion}.`;
}
