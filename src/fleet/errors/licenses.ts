/** Licences: issuing a licence to a headset and revoking one (docs/licensing.md). */
export const licenseErrors = {
  LICENSING_NOT_CONFIGURED: 'The server has no licence-signing key (--license-key): it cannot issue licences or sign revocation lists.',
  LICENSE_DEVICE_NOT_ACCEPTED: 'Licences are issued only to headsets an operator accepted.',
} as const;
