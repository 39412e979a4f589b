import { AppError } from '../api/errors.js';

/**
 * What a PIN is: 4 to 8 digits. Four is the shortest value the secret registry accepts (a PIN is
 * cut out of every output while it is handled); beyond eight, a PIN pad is the wrong tool.
 */
export const PIN_MIN_DIGITS = 4;
export const PIN_MAX_DIGITS = 8;

const DIGITS = /^[0-9]*$/;

/** Throws the catalogue's error for a value that is not a well-formed PIN. */
export function checkPinFormat(pin: string): void {
  if (!DIGITS.test(pin)) throw new AppError('LOCK_PIN_NOT_DIGITS');
  if (pin.length < PIN_MIN_DIGITS) throw new AppError('LOCK_PIN_TOO_SHORT', undefined, { minDigits: PIN_MIN_DIGITS });
  if (pin.length > PIN_MAX_DIGITS) throw new AppError('LOCK_PIN_TOO_LONG', undefined, { maxDigits: PIN_MAX_DIGITS });
}

/** The current PIN a change or a removal must be given: absent or empty is LOCK_PIN_REQUIRED. */
export function requireCurrentPin(pin: string | undefined): string {
  if (pin === undefined || pin === '') throw new AppError('LOCK_PIN_REQUIRED');
  return pin;
}
