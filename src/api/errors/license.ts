/**
 * Licences (docs/licensing.md): installing a licence file, the vendor's key it is checked against, and
 * the signed revocation list. A licence that is valid but expired or revoked is a state
 * (`license.status`), not an error; these codes are what a call refuses.
 */
export const licenseErrors = {
  LICENSE_INVALID: 'The file is not a licence: not JSON, not the hc-license-v1 format, or a field out of range.',
  LICENSE_SIGNATURE_INVALID: "The licence's signature does not verify with the vendor's licence key: it was altered or signed by someone else.",
  LICENSE_OTHER_HEADSET: 'The licence is bound to another headset (another device id or identity key).',
  LICENSE_EXPIRED: 'The licence is past its expiry and its offline grace window: it cannot be installed.',
  LICENSE_REVOKED: 'The licence is on the revocation list: it cannot be installed.',
  LICENSE_NOT_FOUND: 'No licence file was found where it was looked for (the USB stick, or the path given).',
  LICENSE_KEY_MISSING: "The vendor's licence-signing public key (license.pub) is missing or unreadable in the headset's trust folder.",
  LICENSE_REVOCATIONS_INVALID: 'The revocation list is not valid: not the hc-revocations-v1 format, or its signature does not verify.',
  LICENSE_REVOCATIONS_OLDER: 'The revocation list is older than the one the headset already has: refused (a newer version is required).',
  LICENSE_REVOCATIONS_UNAVAILABLE: 'No revocation list could be fetched: no source is configured, no network, or the source did not answer.',
} as const;
