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
  BUNDLE_TRUNCATED: 'The update bundle ends before the end its header or signed manifest announces.',
  BUNDLE_MALFORMED: 'The file is not an update bundle, or its manifest is not valid canonical JSON of the bundle format.',
  BUNDLE_UNSUPPORTED_FORMAT: 'The update bundle uses a format version this software does not read.',
  BUNDLE_MANIFEST_TOO_LARGE: 'The update bundle announces a manifest larger than the limit.',
  BUNDLE_UNTRUSTED_KEY: 'The update bundle is signed by a key that is not trusted here.',
  BUNDLE_BAD_SIGNATURE: 'The update bundle\'s manifest signature does not verify: the manifest or its signature was altered.',
  BUNDLE_BAD_LAYOUT: 'The signed manifest places the payloads at offsets that do not tile the bundle file.',
  BUNDLE_PAYLOAD_MISMATCH: 'A payload of the update bundle does not have the length or hash its signed manifest gives.',
  BUNDLE_TRAILING_DATA: 'The update bundle has bytes after its last payload.',
  KEY_EXISTS: 'A key file to be generated already exists; keys are never overwritten.',
  KEY_INVALID: 'A key file is not a valid Ed25519 key file, does not match its public key, or is readable by others.',
  UPDATE_INCOMPATIBLE: 'The bundle is for another model, or writes a partition this headset does not have.',
  UPDATE_NOT_NEWER: 'The bundle is not newer than the installed system (a rollback needs an explicit, signed choice).',
  UPDATE_BELOW_MIN_VERSION: 'The installed system is older than the lowest version the bundle may be installed over.',
  UPDATE_REQUIREMENT_UNMET: 'A component the bundle depends on is missing or outside the required version range.',
  UPDATE_NO_SPACE: 'There is not enough free space on the data partition to download the update.',
  UPDATE_TOO_LARGE: 'An image of the bundle is larger than the slot partition it targets.',
  UPDATE_NO_BOOT_SPACE: 'There is not enough free space on the boot partition for what the install writes there.',
  UPDATE_SERVICE_STOP_FAILED: 'A service that must be stopped while the slot is written would not stop; nothing was written.',
  SLOT_VERIFY_FAILED: 'An image did not read back from the slot as written; the slot stays unbootable.',
  UPDATE_NOT_CONFIGURED: 'No update repository is configured on this headset (address and trusted root).',
  UPDATE_CHECK_FAILED: 'The update repository could not be reached, or its metadata was refused (expired, rolled back, badly signed).',
  UPDATE_NOTHING_TO_DO: 'There is nothing for this action to act on (no update offered, downloaded, installed, or no slot to go back to).',
  UPDATE_ROLLBACK_NOT_ALLOWED: 'The repository\'s signed metadata no longer lists the version to go back to (it was revoked).',
  UPDATE_IN_PROGRESS: 'Another update operation is running; wait for it or cancel it first.',
  REPO_EXISTS: 'A TUF repository already exists in the folder; it is never re-initialised.',
  REPO_MISSING: 'The folder holds no TUF repository metadata that the command needs.',
  DELTA_SOURCE_MISMATCH: 'The installed image is not the one the delta update was made from.',
  DELTA_TOOL_FAILED: 'The zstd tool failed to make or apply a delta for a reason other than the bundle\'s bytes.',
  EXPORT_NO_MEDIUM: 'No removable medium (USB stick) to export to is plugged in and mounted writable.',
  EXPORT_FAILED: 'Writing the export to the removable medium failed (full, write-protected, or removed); nothing was left behind.',
  LOGS_RATE_LIMITED: 'This connection wrote more log entries than the device accepts per second; the batch was refused, retry later.',
  PRIVACY_ESSENTIAL_CATEGORY: 'The essential telemetry category (installed version, update outcomes, rollbacks) cannot be turned off.',
  PRIVACY_POLICY_OUTDATED: 'The consent was given on an older privacy policy version than the current one; read the current policy and choose again.',
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
