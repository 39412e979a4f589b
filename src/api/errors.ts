/**
 * The error catalogue: every error code the API can return, with a stable meaning.
 * Codes are part of the public contract (operators script against them): never rename one,
 * add new ones. `docs/errors.md` documents each; `errors.test.ts` keeps both complete.
 */
export const ERROR_CATALOGUE = {
  BAD_MESSAGE: 'The message is not a valid protocol message (not JSON, or a wrong envelope).',
  MESSAGE_TOO_LARGE: 'The message is larger than the transport accepts.',
  UNKNOWN_METHOD: 'No call has this name.',
  UNKNOWN_EVENT: 'No event has this name.',
  INVALID_INPUT: 'The input does not match the call\'s schema; details list the offending fields.',
  FORBIDDEN: 'This connection does not hold the scope the call or event needs.',
  WRONG_MODE: 'The call is not available in the device\'s current mode.',
  DUPLICATE_ID: 'A call or subscription with this id is already in flight on this connection.',
  BUSY: 'Too many calls are in flight on this connection; retry when some complete.',
  CANCELLED: 'The caller cancelled the call before it completed.',
  DISCONNECTED: 'The connection closed before the call completed (raised by the client).',
  NOT_SUPPORTED: 'The device profile has no adapter for this action yet.',
  INTERNAL: 'An unexpected failure inside the service; details are in the device log only.',
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** Codes any call may return, whatever it declares: the router's own and transport failures. */
export const GENERIC_ERROR_CODES = [
  'BAD_MESSAGE',
  'MESSAGE_TOO_LARGE',
  'UNKNOWN_METHOD',
  'INVALID_INPUT',
  'FORBIDDEN',
  'WRONG_MODE',
  'DUPLICATE_ID',
  'BUSY',
  'CANCELLED',
  'DISCONNECTED',
  'INTERNAL',
] as const satisfies readonly ErrorCode[];

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** The one error type services throw on purpose; anything else becomes INTERNAL. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CATALOGUE[code],
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toPayload(): ErrorPayload {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}
