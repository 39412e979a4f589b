import type { RegistrationProblem } from '../api/contract/registration.js';
import { ERROR_CATALOGUE } from '../api/errors.js';
import { isFleetErrorCode, type FleetErrorCode } from '../fleet/errors.js';

/**
 * Why a registration or check-in did not succeed, in the words the wearer's Details show: the fleet
 * server's own code when it answered with one (docs/fleet-errors.md), else the headset's
 * (docs/errors.md). Pure: the service hands it what the HTTP exchange gave.
 */

/** The server answered with a status other than 200: its error body, or something off the contract. */
export function problemOfAnswer(status: number, body: unknown): RegistrationProblem & { fleetCode?: FleetErrorCode } {
  if (typeof body === 'object' && body !== null && isFleetErrorCode((body as { code?: unknown }).code)) {
    const { code, message } = body as { code: FleetErrorCode; message?: unknown };
    return { code, fleetCode: code, message: typeof message === 'string' && message.length <= 500 ? message : `HTTP ${status}` };
  }
  return answerInvalid(`HTTP ${status}, not a fleet server's answer`);
}

/** A 200 whose body does not match the contract's schema. */
export function answerInvalid(detail: string): RegistrationProblem {
  return { code: 'FLEET_ANSWER_INVALID', message: `${ERROR_CATALOGUE.FLEET_ANSWER_INVALID} ${detail}` };
}

/** No HTTP answer at all: `reason` is the system's word (ECONNREFUSED, a timeout). */
export function unreachable(reason: string): RegistrationProblem {
  return { code: 'FLEET_UNREACHABLE', message: `${ERROR_CATALOGUE.FLEET_UNREACHABLE} (${reason})` };
}
