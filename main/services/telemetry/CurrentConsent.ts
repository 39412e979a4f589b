import type { PrivacyStatus } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import type { TelemetryCategoryId } from '../../../src/telemetry/categories.js';
import { effectiveGrants, privacyStatusOf, type ConsentState } from '../../../src/telemetry/consent.js';

/**
 * The wearer's consent in force: what may be recorded right now, and the privacy status the
 * interface shows. Nothing is granted until the stored consent is applied (TelemetryService.start).
 */
export class CurrentConsent {
  readonly status = new StateChannel<PrivacyStatus>();
  private consent: ConsentState | undefined;
  private grants: Record<TelemetryCategoryId, boolean> | undefined;

  apply(state: ConsentState): void {
    this.consent = state;
    this.grants = effectiveGrants(state);
    this.status.set(privacyStatusOf(state));
  }

  state(): ConsentState {
    if (!this.consent) throw new Error('TelemetryService.start() first');
    return this.consent;
  }

  privacy(): PrivacyStatus {
    return privacyStatusOf(this.state());
  }

  isGranted(category: TelemetryCategoryId): boolean {
    return this.grants?.[category] ?? false;
  }
}
