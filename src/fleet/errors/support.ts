/** Support sessions: an operator opening one for a headset, delivered at its check-in (docs/support.md). */
export const supportErrors = {
  SUPPORT_NOT_CONFIGURED: 'The server has no support relay (--support-relay): it cannot open support sessions.',
  SUPPORT_DEVICE_NOT_ACCEPTED: 'Support sessions are opened only for headsets an operator accepted.',
  SUPPORT_SESSION_ALREADY_OPEN: 'A support session is already open for this headset: close it first.',
  SUPPORT_SESSION_NOT_FOUND: 'This headset has no support session with this id.',
} as const;
