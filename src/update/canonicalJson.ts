/**
 * Canonical JSON: the one byte sequence a value is signed as. Object keys sorted by UTF-16 code
 * units, no whitespace, strings escaped as JSON.stringify does, numbers only as safe integers (no
 * floats: their text form is where JSON encoders disagree). This is the integer subset of RFC 8785
 * (JCS), and on ASCII keys and strings it gives the same bytes as the OLPC canonical JSON that TUF
 * tools sign, so key ids computed over it match theirs.
 */
export type CanonicalValue = null | boolean | number | string | CanonicalValue[] | { [key: string]: CanonicalValue };

export class CanonicalJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalJsonError';
  }
}

/** Deeper than any manifest needs; stops hostile input from exhausting the stack. */
export const MAX_CANONICAL_DEPTH = 32;

export function canonicalJson(value: unknown): string {
  return encode(value, 0, '$');
}

export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

/**
 * Parses bytes that must already be canonical JSON: well-formed UTF-8, and exactly the bytes
 * `canonicalJsonBytes` gives for the parsed value. That refuses duplicate keys, whitespace, other
 * key orders and number spellings, so one value has exactly one signed form.
 */
export function parseCanonicalJson(bytes: Uint8Array): CanonicalValue {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CanonicalJsonError('not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CanonicalJsonError(`not JSON: ${(error as Error).message}`);
  }
  const canonical = canonicalJson(value);
  if (canonical !== text) throw new CanonicalJsonError('not in canonical form (key order, whitespace, duplicate keys or number spelling)');
  return value as CanonicalValue;
}

function encode(value: unknown, depth: number, path: string): string {
  if (depth > MAX_CANONICAL_DEPTH) throw new CanonicalJsonError(`${path}: nested deeper than ${MAX_CANONICAL_DEPTH}`);
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new CanonicalJsonError(`${path}: only safe integers are allowed, not ${value}`);
    // -0 and 0 are one value: one spelling.
    return String(value === 0 ? 0 : value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item, i) => encode(item, depth + 1, `${path}[${i}]`)).join(',')}]`;
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError(`${path}: only plain objects are allowed`);
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys
      .map((key) => {
        const item = record[key];
        // JSON.stringify would silently drop it: refuse instead, so what is signed is what was meant.
        if (item === undefined) throw new CanonicalJsonError(`${path}.${key}: undefined is not JSON`);
        return `${JSON.stringify(key)}:${encode(item, depth + 1, `${path}.${key}`)}`;
      })
      .join(',')}}`;
  }
  throw new CanonicalJsonError(`${path}: ${typeof value} is not JSON`);
}
