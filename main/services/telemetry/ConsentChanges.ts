import type { PrivacyStatus } from '../../../src/api/contract.js';
import type { TelemetryCategoryId } from '../../../src/telemetry/categories.js';
import { decide, type ConsentDecision } from '../../../src/telemetry/consent.js';
import { isoToUnixNano, SEVERITY } from '../../../src/telemetry/otlpEncode.js';
import type { OtlpLogRecord } from '../../../src/telemetry/otlpJson.js';
import type { ConsentStore, PendingWithdrawal } from './ConsentStore.js';
import type { CurrentConsent } from './CurrentConsent.js';
import type { DeviceIdHasher } from './DeviceIdHasher.js';
import type { MetricRecorder } from './MetricRecorder.js';
import type { TelemetryOutbox } from './ports.js';

export const DELETION_REQUEST_EVENT = 'telemetry.deletion_request';

export interface ConsentChangesOptions {
  store: ConsentStore;
  current: CurrentConsent;
  outbox: TelemetryOutbox;
  hasher: DeviceIdHasher;
  recorder: MetricRecorder;
  /** Counts gathered under `errors`, forgotten when it is withdrawn. */
  errorCounts: { forgetCounts(): void };
  now: () => Date;
  warn?: (msg: string, fields?: Record<string, unknown>) => void;
}

/**
 * The wearer's consent decisions and what they owe: a category turned off stops recording at once,
 * its queued records are purged and a deletion request is sent; opting out of all also replaces
 * the pseudonym key. The decision is persisted first, with what it owes (see PendingWithdrawal).
 */
export class ConsentChanges {
  constructor(private readonly options: ConsentChangesOptions) {}

  /** Applies the stored consent; returns what a withdrawal cut short by a power cut still owes. */
  async load(): Promise<PendingWithdrawal> {
    const { state, pending, unreadable } = await this.options.store.load();
    if (unreadable) this.options.warn?.('privacy: the stored consent was unreadable; asking again');
    await this.options.hasher.load();
    this.options.current.apply(state);
    return pending;
  }

  /** The wearer's decision: persisted first, then collection follows it. */
  async decide(decision: ConsentDecision): Promise<PrivacyStatus> {
    const { current } = this.options;
    const transition = decide(current.state(), decision, this.options.now());
    const pending: PendingWithdrawal = { categories: transition.turnedOff, resetPseudonym: transition.optedOutOfAll };
    // The decision and what it still owes, in one atomic write (see PendingWithdrawal).
    await this.options.store.save(transition.state, pending);
    current.apply(transition.state); // stops collection of what was turned off, now
    if (owesSomething(pending)) await this.withdraw(pending);
    return current.privacy();
  }

  /** Purges, requests deletion, replaces the key; then records that nothing is owed any more. */
  async withdraw(pending: PendingWithdrawal): Promise<void> {
    for (const category of pending.categories) {
      if (category === 'errors') this.options.errorCounts.forgetCounts();
      await this.options.outbox.purgeCategory(category);
      await this.options.outbox.enqueue('essential', 'critical', { signal: 'logs', record: this.deletionRequest(category) });
    }
    // After the deletion requests, which must carry the pseudonym the receiver knows.
    // The queued records (the deletion requests at least) keep their week's signing key.
    if (pending.resetPseudonym) await this.options.hasher.reset(await this.options.outbox.queuedPseudonyms());
    await this.options.store.save(this.options.current.state());
  }

  private deletionRequest(category: TelemetryCategoryId): OtlpLogRecord {
    return {
      timeUnixNano: isoToUnixNano(this.options.now().toISOString()),
      severityNumber: SEVERITY.info.number,
      severityText: SEVERITY.info.text,
      body: { stringValue: `Delete the ${category} telemetry of this device.` },
      eventName: DELETION_REQUEST_EVENT,
      attributes: [{ key: 'category', value: { stringValue: category } }, this.options.recorder.pseudonym()],
    };
  }
}

export function owesSomething(pending: PendingWithdrawal): boolean {
  return pending.categories.length > 0 || pending.resetPseudonym;
}
