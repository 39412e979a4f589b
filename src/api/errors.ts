import { alertsErrors } from './errors/alerts.js';
import { backupErrors } from './errors/backup.js';
import { bundleErrors } from './errors/bundle.js';
import { licenseErrors } from './errors/license.js';
import { lockErrors } from './errors/lock.js';
import { logsErrors } from './errors/logs.js';
import { networkErrors } from './errors/network.js';
import { operatorErrors } from './errors/operator.js';
import { resetErrors } from './errors/reset.js';
import { recoveryErrors } from './errors/recovery.js';
import { protocolErrors } from './errors/protocol.js';
import { supportErrors } from './errors/support.js';
import { registrationErrors } from './errors/registration.js';
import { telemetryErrors } from './errors/telemetry.js';
import { updateErrors } from './errors/update.js';
import { tracksErrors } from './errors/tracks.js';
import { profileErrors } from './errors/profile.js';

/**
 * The error catalogue: every error code the API can return, with a stable meaning.
 * Codes are part of the public contract (operators script against them): never rename one,
 * add new ones. `docs/errors.md` documents each; `errors.test.ts` keeps both complete.
 *
 * The codes are grouped by area, one file each in `errors/`; docs/errors.md has one section per
 * area, titled as below.
 */
export const ERROR_AREAS = {
  protocol: { title: 'Protocol and router', codes: protocolErrors },
  bundle: { title: 'Update bundles', codes: bundleErrors },
  update: { title: 'Updates', codes: updateErrors },
  logs: { title: 'Logs', codes: logsErrors },
  telemetry: { title: 'Privacy and telemetry', codes: telemetryErrors },
  alerts: { title: 'Alerts', codes: alertsErrors },
  lock: { title: 'Device lock', codes: lockErrors },
  support: { title: 'Remote support', codes: supportErrors },
  backup: { title: 'Backup and restore', codes: backupErrors },
  network: { title: 'Network', codes: networkErrors },
  registration: { title: 'Fleet registration', codes: registrationErrors },
  reset: { title: 'Secure wipe and reset', codes: resetErrors },
  recovery: { title: 'Recovery installs', codes: recoveryErrors },
  license: { title: 'Licences', codes: licenseErrors },
  tracks: { title: 'Tracks and sessions', codes: tracksErrors },
  profile: { title: "The wearer's profile", codes: profileErrors },
  operator: { title: 'Operator tools (headsetctl only)', codes: operatorErrors },
} as const;

export type ErrorArea = keyof typeof ERROR_AREAS;

// errors.test.ts checks that no code is in two areas (a later spread would silently win).
export const ERROR_CATALOGUE = {
  ...protocolErrors,
  ...bundleErrors,
  ...updateErrors,
  ...logsErrors,
  ...telemetryErrors,
  ...alertsErrors,
  ...lockErrors,
  ...supportErrors,
  ...backupErrors,
  ...networkErrors,
  ...registrationErrors,
  ...resetErrors,
  ...recoveryErrors,
  ...licenseErrors,
  ...tracksErrors,
  ...profileErrors,
  ...operatorErrors,
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** Codes only the operator tool (headsetctl) returns: no device API call may declare one. */
export type OperatorOnlyErrorCode = keyof typeof operatorErrors;
export const OPERATOR_ONLY_CODES: ReadonlySet<ErrorCode> = new Set(Object.keys(operatorErrors) as OperatorOnlyErrorCode[]);

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
