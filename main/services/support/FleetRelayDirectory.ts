import type { SupportOffer } from '../../../src/fleet/supportApi.js';
import type { RelayDirectory, SupportRelay } from './ports.js';

/** Lets a session's key in at a relay the fleet server named (see FleetRelayDirectory.authorize). */
export type RelayKeyAdmission = (relay: SupportRelay, publicKeyLine: string, sessionId: string) => Promise<() => Promise<void>>;

/**
 * The relay the fleet server hands out: the support session an operator opened for this headset,
 * as the answer to its last signed check-in carried it, until that session's end; otherwise the
 * relay the headset has of its own (support-relay.json). Kept in memory only: after a restart the
 * next check-in brings it again. The wearer still accepts on the headset before anything dials out.
 */
export class FleetRelayDirectory implements RelayDirectory {
  private offer: SupportOffer | null = null;
  private readonly fromFleet = new WeakSet<SupportRelay>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly own: RelayDirectory,
    /**
     * How a session key gets in at the fleet's relay. Not there yet for a remote relay (the server
     * is to sign a short-lived certificate for it, server/TODO.md); a relay on this machine (a
     * developer's, the tests') lets it in through its authorized_keys file.
     */
    private readonly admit: RelayKeyAdmission = async () => async () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** What the last check-in answer said (null: no session open for this headset now). */
  offered(offer: SupportOffer | null): void {
    const before = this.offer?.sessionId ?? null;
    this.offer = offer;
    if ((offer?.sessionId ?? null) !== before) for (const listener of this.listeners) listener();
  }

  /** Called when the fleet's offer comes or goes (the support status says whether a relay is there). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async relay(): Promise<SupportRelay | null> {
    const offer = this.offer;
    if (offer && Date.parse(offer.expiresAt) > this.now()) {
      const relay: SupportRelay = { ...offer.relay, viewers: offer.relay.viewers.map((v) => ({ ...v })) };
      this.fromFleet.add(relay);
      return relay;
    }
    return this.own.relay();
  }

  authorize(relay: SupportRelay, publicKeyLine: string, sessionId: string): Promise<() => Promise<void>> {
    return this.fromFleet.has(relay) ? this.admit(relay, publicKeyLine, sessionId) : this.own.authorize(relay, publicKeyLine, sessionId);
  }
}
