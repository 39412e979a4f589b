/** Telemetry: OTLP/HTTP exports from headsets, signed with the week's telemetry key. */
export const telemetryErrors = {
  TELEMETRY_ENCODING_INVALID: 'The export body is not gzip (or plain) JSON as its Content-Encoding says.',
  TELEMETRY_TOO_MANY_RECORDS: 'The export holds more records than one request may.',
  TELEMETRY_SIGNATURE_MISSING: "The export lacks the telemetry signature's headers, or one of them is malformed.",
  TELEMETRY_SIGNATURE_INVALID: "The export's signature does not verify with the telemetry key it presents.",
  TELEMETRY_DATE_SKEWED: "The export's signing date is too far from the server's clock.",
  TELEMETRY_REPLAYED: 'This signed export was already received.',
} as const;
