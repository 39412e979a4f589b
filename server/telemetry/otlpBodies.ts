import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { FleetError } from '../../src/fleet/errors.js';
import { TELEMETRY_MAX_BODY_BYTES } from '../../src/fleet/telemetryApi.js';

const gunzipAsync = promisify(gunzip);

/**
 * An export's body as sent (what its signature covers) turned into JSON: gunzipped when its
 * Content-Encoding says gzip, never past the uncompressed limit (a small gzip bomb stops at 4 MiB),
 * and parsed (V8's JSON.parse does not recurse: any nesting parses; the export readers bound it).
 */
export async function decodeExportBody(raw: Buffer, contentEncoding: string | string[] | undefined): Promise<unknown> {
  const encoding = typeof contentEncoding === 'string' ? contentEncoding.trim().toLowerCase() : contentEncoding === undefined ? 'identity' : '';
  let text: Buffer;
  if (encoding === 'gzip') {
    try {
      text = await gunzipAsync(raw, { maxOutputLength: TELEMETRY_MAX_BODY_BYTES });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        throw new FleetError('BODY_TOO_LARGE', `The export is larger than ${TELEMETRY_MAX_BODY_BYTES} bytes once uncompressed.`);
      }
      throw new FleetError('TELEMETRY_ENCODING_INVALID', 'The body is not valid gzip.');
    }
  } else if (encoding === 'identity' || encoding === '') {
    if (encoding === '' && contentEncoding !== undefined) throw new FleetError('TELEMETRY_ENCODING_INVALID', 'Several Content-Encoding headers.');
    text = raw;
  } else {
    throw new FleetError('TELEMETRY_ENCODING_INVALID', `Content-Encoding ${encoding.slice(0, 32)} is not taken: send gzip or plain JSON.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.toString('utf8'));
  } catch {
    throw new FleetError('MALFORMED_JSON');
  }
  return parsed;
}
