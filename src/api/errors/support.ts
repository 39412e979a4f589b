/** Remote support: starting a read-only support session. */
export const supportErrors = {
  SUPPORT_NOT_CONFIGURED: 'No support relay is configured on this headset.',
  SUPPORT_ALREADY_ACTIVE: 'A support session is already running: stop it first.',
  SUPPORT_DURATION_OUT_OF_RANGE: 'A support session lasts from 1 minute to 24 hours.',
  SUPPORT_UNAVAILABLE: 'This headset cannot open a support session: a part it needs (OpenSSH, its support account) is missing.',
} as const;
