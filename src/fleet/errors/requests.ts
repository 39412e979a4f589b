/** Requests: what any request to the fleet server can be refused for, whoever sends it. */
export const requestErrors = {
  MALFORMED_JSON: 'The request body is not valid JSON.',
  BODY_TOO_LARGE: 'The request body is larger than this route accepts.',
  UNSUPPORTED_MEDIA_TYPE: 'The request body is not application/json.',
  INVALID_INPUT: "The request does not match the route's schema; details list the offending fields.",
  NOT_FOUND: 'No route or resource has this address.',
  DATABASE_UNAVAILABLE: 'The database did not answer; nothing was changed.',
  BLOB_STORE_UNAVAILABLE: 'The blob store (bundles, repository files) failed to read or write; nothing was stored.',
  INTERNAL: 'An unexpected failure inside the server; details are in the server log only.',
} as const;
