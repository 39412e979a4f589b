/** Protocol and router: the router's and transports' own codes (the generic ones any call may return), and NOT_SUPPORTED. */
export const protocolErrors = {
  BAD_MESSAGE: 'The message is not a valid protocol message (not JSON, or a wrong envelope).',
  MESSAGE_TOO_LARGE: 'The message is larger than the transport accepts.',
  UNKNOWN_METHOD: 'No call has this name.',
  UNKNOWN_EVENT: 'No event has this name.',
  INVALID_INPUT: "The input does not match the call's schema; details list the offending fields.",
  FORBIDDEN: 'This connection does not hold the scope the call or event needs.',
  WRONG_MODE: "The call is not available in the device's current mode.",
  DUPLICATE_ID: 'A call or subscription with this id is already in flight on this connection.',
  BUSY: 'Too many calls are in flight on this connection; retry when some complete.',
  CANCELLED: 'The caller cancelled the call before it completed.',
  DISCONNECTED: 'The connection closed before the call completed (raised by the client).',
  INTERNAL: 'An unexpected failure inside the service; details are in the device log only.',
  NOT_SUPPORTED: 'The device profile has no adapter for this action yet.',
} as const;
