/** Telemetry: the wearer's consent per category. */
export const telemetryErrors = {
  PRIVACY_ESSENTIAL_CATEGORY: 'The essential telemetry category (installed version, update outcomes, rollbacks) cannot be turned off.',
  PRIVACY_POLICY_OUTDATED: 'The consent was given on an older privacy policy version than the current one; read the current policy and choose again.',
} as const;
