/** One field of a log entry as a table row: its name and its value as a person reads it. */
export interface FieldRow {
  name: string;
  value: string;
}

/**
 * A log entry's fields as rows, in their order: text as it is, numbers and yes/no plainly, nested
 * values one level down as "name: value" pairs (their own JSON only deeper than that).
 */
export function fieldRows(fields: Record<string, unknown>): FieldRow[] {
  return Object.entries(fields).map(([name, value]) => ({ name, value: readable(value, 0) }));
}

function readable(value: unknown, depth: number): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value.toLocaleString('en') : String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return depth > 0 ? JSON.stringify(value) : value.map((item) => readable(item, depth + 1)).join(', ');
  if (typeof value === 'object') {
    if (depth > 0) return JSON.stringify(value);
    return Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `${key}: ${readable(item, depth + 1)}`)
      .join(', ');
  }
  return String(value);
}
