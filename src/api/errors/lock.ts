/** Device lock: the PIN that guards the `unlocked` calls (network changes, wipe, support mode). */
export const lockErrors = {
  LOCK_WRONG_PIN: 'The PIN is not right.',
  LOCK_BACKING_OFF: 'Too many wrong PINs: wait before trying again.',
  LOCK_PIN_TOO_SHORT: 'A PIN has at least 4 digits.',
  LOCK_PIN_TOO_LONG: 'A PIN has at most 8 digits.',
  LOCK_PIN_NOT_DIGITS: 'A PIN is made of the digits 0 to 9 only.',
  LOCK_PIN_REQUIRED: 'This change needs the current PIN.',
  LOCK_NO_PIN: 'No PIN is set on this headset.',
  LOCK_PIN_ALREADY_SET: 'A PIN is already set: change it with the current PIN.',
  LOCK_FILE_CORRUPT: "The headset's lock file cannot be read, so it stays locked. A factory reset clears it.",
} as const;
