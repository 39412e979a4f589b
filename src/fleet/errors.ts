import { deviceErrors } from './errors/devices.js';
import { operatorErrors } from './errors/operators.js';
import { requestErrors } from './errors/requests.js';
import { telemetryErrors } from './errors/telemetry.js';
import { licenseErrors } from './errors/licenses.js';
import { updateErrors } from './errors/updates.js';
import { trackErrors } from './errors/tracks.js';
import { supportErrors } from './errors/support.js';

/**
 * The fleet server's error catalogue: every code its HTTP API answers with, with a stable meaning.
 * Codes are part of the public contract (headsets and scripts match on them): never rename one, add
 * new ones. `docs/fleet-errors.md` documents each, in one section per area titled as below;
 * `server/fleetErrors.test.ts` keeps both complete and reaches every code through the real server.
 */
export const FLEET_ERROR_AREAS = {
  requests: { title: 'Requests', codes: requestErrors },
  devices: { title: 'Headsets', codes: deviceErrors },
  operators: { title: 'Operators', codes: operatorErrors },
  telemetry: { title: 'Telemetry', codes: telemetryErrors },
  licenses: { title: 'Licences', codes: licenseErrors },
  updates: { title: 'Updates', codes: updateErrors },
  tracks: { title: 'Tracks', codes: trackErrors },
  support: { title: 'Support sessions', codes: supportErrors },
} as const;

export const FLEET_ERROR_CATALOGUE = {
  ...requestErrors,
  ...deviceErrors,
  ...operatorErrors,
  ...telemetryErrors,
  ...licenseErrors,
  ...updateErrors,
  ...trackErrors,
  ...supportErrors,
} as const;

export type FleetErrorCode = keyof typeof FLEET_ERROR_CATALOGUE;

export const FLEET_ERROR_CODES = Object.keys(FLEET_ERROR_CATALOGUE) as FleetErrorCode[];

/** What an error response's body holds (its HTTP status is `FLEET_ERROR_STATUS[code]`). */
export interface FleetErrorBody {
  code: FleetErrorCode;
  message: string;
  details?: unknown;
}

/** The HTTP status each code is answered with. */
export const FLEET_ERROR_STATUS: Record<FleetErrorCode, number> = {
  MALFORMED_JSON: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  DATABASE_UNAVAILABLE: 503,
  BLOB_STORE_UNAVAILABLE: 503,
  INTERNAL: 500,
  CHALLENGE_UNKNOWN: 401,
  CHALLENGE_EXPIRED: 401,
  CHALLENGE_USED: 401,
  REGISTRATION_SIGNATURE_INVALID: 401,
  DEVICE_UNKNOWN: 401,
  REGISTRATION_PENDING: 403,
  DEVICE_REFUSED: 403,
  SIGNATURE_MISSING: 401,
  SIGNATURE_INVALID: 401,
  REQUEST_EXPIRED: 401,
  REQUEST_REPLAYED: 401,
  CHALLENGE_THROTTLED: 429,
  NOT_AUTHENTICATED: 401,
  LOGIN_FAILED: 401,
  LOGIN_THROTTLED: 429,
  PASSWORD_CHANGE_REQUIRED: 403,
  PASSWORD_TOO_WEAK: 400,
  CSRF_TOKEN_INVALID: 403,
  ROLE_REQUIRED: 403,
  OPERATOR_EXISTS: 409,
  OPERATOR_NOT_FOUND: 404,
  LAST_ADMIN: 409,
  PREAUTHORIZATION_NOT_FOUND: 404,
  DEVICE_NOT_FOUND: 404,
  DEVICE_STATE_CONFLICT: 409,
  TELEMETRY_ENCODING_INVALID: 400,
  TELEMETRY_TOO_MANY_RECORDS: 413,
  TELEMETRY_SIGNATURE_MISSING: 401,
  TELEMETRY_SIGNATURE_INVALID: 401,
  // Not 4xx: the headset drops a batch on those; on 503 it signs again later with its clock set.
  TELEMETRY_DATE_SKEWED: 503,
  TELEMETRY_REPLAYED: 409,
  LICENSING_NOT_CONFIGURED: 503,
  LICENSE_DEVICE_NOT_ACCEPTED: 409,
  // 503 like LICENSING_NOT_CONFIGURED: the server's configuration lacks it, not the request.
  SUPPORT_NOT_CONFIGURED: 503,
  SUPPORT_DEVICE_NOT_ACCEPTED: 409,
  SUPPORT_SESSION_ALREADY_OPEN: 409,
  SUPPORT_SESSION_NOT_FOUND: 404,
  UPDATE_FILE_NAME_INVALID: 400,
  UPDATE_FILE_MISMATCH: 400,
  UPDATE_FILE_CONFLICT: 409,
  UPDATE_REPOSITORY_INCOMPLETE: 409,
  UPDATE_PUBLICATION_STALE: 409,
  ROLLOUT_NOT_FOUND: 404,
  ROLLOUT_RELEASE_UNKNOWN: 409,
  ROLLOUT_ALREADY_RUNNING: 409,
  ROLLOUT_STATE_CONFLICT: 409,
  TRACK_SIGNATURE_INVALID: 400,
  TRACK_NOT_FOUND: 404,
  TRACK_NAME_TAKEN: 409,
  TRACK_CONFLICT_NOT_FOUND: 404,
  TRACK_CONFLICT_RESOLVED: 409,
  TRACK_RESOLUTION_INVALID: 409,
};

/** The one error type the server throws on purpose; anything else is answered INTERNAL. */
export class FleetError extends Error {
  constructor(
    readonly code: FleetErrorCode,
    message: string = FLEET_ERROR_CATALOGUE[code],
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'FleetError';
  }

  get status(): number {
    return FLEET_ERROR_STATUS[this.code];
  }

  toBody(): FleetErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isFleetErrorCode(value: unknown): value is FleetErrorCode {
  return typeof value === 'string' && Object.hasOwn(FLEET_ERROR_CATALOGUE, value);
}
