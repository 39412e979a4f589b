/** What the licence service needs from the headset and the capabilities before it. */

/** The headset a licence must bind to. */
export interface HeadsetBinding {
  deviceId: string;
  /** The identity public key, base64. */
  identityPublicKey: string;
}

/** Where the signed revocation list comes from: its text, or undefined when there is no source. */
export interface RevocationSource {
  readonly kind: 'fleet' | 'url' | 'none';
  /** Throws on a network failure (reported as LICENSE_REVOCATIONS_UNAVAILABLE). */
  fetch(): Promise<string>;
}

/** The USB stick: its mounted folder, or undefined when none is plugged in. */
export interface LicenseMedium {
  locate(): Promise<string | undefined>;
}

/** Trusted times other capabilities verified (the update capability's TUF timestamp metadata). */
export interface TrustedTimeFeed {
  /** Calls back with each verified time (ms since the epoch); returns an unsubscribe. */
  subscribe(listener: (ms: number) => void): () => void;
}
