/** Headsets: registration (a signed challenge) and the signed requests that follow it. */
export const deviceErrors = {
  CHALLENGE_UNKNOWN: 'The registration challenge does not exist, or was issued for another device id.',
  CHALLENGE_EXPIRED: 'The registration challenge expired before it was answered.',
  CHALLENGE_USED: 'The registration challenge was already answered once; each is single use.',
  REGISTRATION_SIGNATURE_INVALID: 'The registration is not signed by the private key of the public key it presents.',
  DEVICE_UNKNOWN: 'No headset with this device id is registered.',
  REGISTRATION_PENDING: "The headset is registered but awaits an operator's approval.",
  DEVICE_REFUSED: 'The headset was rejected or decommissioned: the server serves it nothing.',
  SIGNATURE_MISSING: 'The request lacks the signature headers, or one of them is malformed.',
  SIGNATURE_INVALID: "The request's signature does not verify with the registered key of the device it names.",
  REQUEST_EXPIRED: "The request's timestamp is too far from the server's clock.",
  REQUEST_REPLAYED: "The request's nonce was already used by this device.",
  CHALLENGE_THROTTLED: 'Too many registration challenges from this address or for this device id: wait before asking again.',
} as const;
