/**
 * TUF's canonical JSON (the OLPC dialect securesystemslib and tuf-js sign over): keys sorted by
 * UTF-16 code units, no whitespace, integers only, and only `\` and `"` escaped in strings. It is
 * not RFC 8785: a signature over the wrong dialect fails on the client, so this mirrors theirs.
 */
export function tufCanonicalJson(value: unknown): string {
  if (typeof value === 'string') return canonicalString(value);
  if (typeof value === 'boolean' || value === null) return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`TUF canonical JSON has integers only, not ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(tufCanonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${canonicalString(key)}:${tufCanonicalJson(record[key])}`).join(',')}}`;
  }
  throw new TypeError(`TUF canonical JSON cannot encode ${typeof value}`);
}

function canonicalString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
