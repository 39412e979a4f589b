/**
 * Fleet registration: a call that needs a fleet server, and why an attempt to reach one failed.
 * The last two are never a call's failure: they are the reason a `registration.changed` state
 * carries (`retrying`), shown to the wearer under details, beside the server's own codes
 * (docs/fleet-errors.md).
 */
export const registrationErrors = {
  REGISTRATION_NOT_CONFIGURED: 'No fleet server is configured on this headset: it is managed by nobody.',
  FLEET_UNREACHABLE: 'The fleet server could not be reached (no route, connection refused or reset, or no answer in time).',
  FLEET_ANSWER_INVALID:
    'The fleet server answered something outside its contract (not one of its error codes, or a body that does not match the API).',
} as const;
