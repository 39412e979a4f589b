/** Secure wipe and factory reset (reset.*), and checking a sanitization record (headsetctl sanitization verify). */
export const resetErrors = {
  RESET_CONFIRMATION_REQUIRED: 'Erasing needs an explicit confirmation: nothing was erased.',
  RESET_PIN_REQUIRED: 'A PIN is set on this headset: erasing needs it.',
  RESET_IN_PROGRESS: 'A wipe or reset is already under way.',
  RESET_SCOPE_OPERATOR_ONLY: 'Decommissioning (erasing the device identity too) is for the operator, not the headset API.',
  DECOMMISSION_NOT_CONFIGURED: 'This headset has no operator key for decommissioning (decommission.pub in its trust folder).',
  DECOMMISSION_AUTHORIZATION_INVALID: "The decommissioning authorization is not one this headset's operator signed for it, now.",
  SANITIZATION_RECORD_MALFORMED: 'The file is not a sanitization record this version reads.',
  SANITIZATION_RECORD_FORGED: 'The sanitization record does not match its signature, or is signed by another key than the one expected.',
} as const;
