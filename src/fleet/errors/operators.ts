/** Operators: accounts, sessions, roles and the devices they manage from the dashboard. */
export const operatorErrors = {
  NOT_AUTHENTICATED: 'No valid operator session: log in first.',
  LOGIN_FAILED: 'The user name or the password is wrong.',
  LOGIN_THROTTLED: 'Too many failed logins from this address or for this user name: wait before trying again.',
  PASSWORD_CHANGE_REQUIRED: 'The one-time password must be changed before anything else.',
  PASSWORD_TOO_WEAK: 'The new password is too short, too long, or the same as the current one.',
  CSRF_TOKEN_INVALID: "A state-changing request lacks the session's CSRF token, or carries a wrong one.",
  ROLE_REQUIRED: "The operator's role does not allow this action.",
  OPERATOR_EXISTS: 'An operator with this user name already exists.',
  OPERATOR_NOT_FOUND: 'No operator has this user name.',
  LAST_ADMIN: 'This would leave no enabled admin.',
  PREAUTHORIZATION_NOT_FOUND: 'This device id is not preauthorized.',
  DEVICE_NOT_FOUND: 'No headset with this device id is known.',
  DEVICE_STATE_CONFLICT: "The headset's current state does not allow this decision.",
} as const;
