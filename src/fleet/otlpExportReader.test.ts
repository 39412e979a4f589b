import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeLogsRequest, encodeMetricsRequest, logRecordToOtlp } from '../telemetry/otlpEncode.js';
import { readLogsExport, readMetricsExport } from './otlpExportReader.js';
import { exportLogsRequestSchema, exportMetricsRequestSchema } from './telemetryApi.js';

const resource = { serviceName: 'headsetd', serviceVersion: '1.4.2', deviceId: null };
const pseudonym = { key: 'headset.device.pseudonym', value: { stringValue: '0123456789abcdef0123456789abcdef' } };

/** Exports as the headset encodes them (src/telemetry/otlpEncode.ts, what its forwarder sends). */
function logsExport(): unknown {
  const record = logRecordToOtlp({
    time: '2026-12-07T10:00:00.000Z',
    level: 'error',
    subsystem: 'update',
    msg: 'install failed',
    fields: { attempt: 2, ratio: 0.5, nested: { list: [1, 'two', true], big: 2n ** 60n } },
    version: '1.4.2',
    commit: 'c0ffee',
    bootId: 'b',
    seq: 7,
  } as Parameters<typeof logRecordToOtlp>[0]);
  record.eventName = 'log.record';
  record.attributes.push(pseudonym);
  return JSON.parse(
    JSON.stringify(
      encodeLogsRequest(resource, [
        { uid: crypto.randomUUID(), category: 'errors', record },
        { uid: crypto.randomUUID(), category: 'errors', record },
      ]),
    ),
  );
}

function metricsExport(): unknown {
  const point = { attributes: [{ key: 'charging', value: { boolValue: false } }, pseudonym], timeUnixNano: '1765101600000000000', asDouble: 81 };
  return JSON.parse(
    JSON.stringify(
      encodeMetricsRequest(resource, [
        { uid: 'a', category: 'hardware', metric: { name: 'hardware.battery_charge', description: 'd', unit: '%', gauge: { dataPoints: [point] } } },
        {
          uid: 'b',
          category: 'errors',
          metric: {
            name: 'errors.count',
            description: 'd',
            unit: '1',
            sum: { dataPoints: [{ ...point, asDouble: undefined, asInt: '3' }], aggregationTemporality: 1, isMonotonic: true },
          },
        },
      ]),
    ),
  );
}

/** Every path into a JSON value (keys and indexes), the root's included. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...paths(item, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...prefix, key]));
  return out;
}

function replaced(value: unknown, path: (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  // Removing: a key goes, an array item is cut out (JSON has no holes).
  if (by === undefined && Array.isArray(target)) target.splice(last as number, 1);
  else if (by === undefined) delete target[last];
  else target[last] = by;
  return copy;
}

const odd = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(undefined, '', '-1', '12345678901234567890', 'NaN', 'Infinity', 2 ** 60, -1, 1.5, 25, [], {}, { stringValue: 1 }),
);

describe.each([
  ['logs', logsExport, readLogsExport, exportLogsRequestSchema],
  ['metrics', metricsExport, readMetricsExport, exportMetricsRequestSchema],
] as const)('the %s export reader', (_name, make, read, schema) => {
  it('reads what the headset sends as the schema does', () => {
    const body = make();
    const result = read(body);
    expect(result).toEqual({ ok: true, value: schema.parse(body) });
  });

  it('accepts exactly what the schema accepts, with the same result, whatever one field is changed to', () => {
    const body = make();
    const all = paths(body);
    fc.assert(
      fc.property(fc.nat({ max: all.length - 1 }), odd, (index, by) => {
        const mutated = replaced(body, all[index]!, by);
        const expected = schema.safeParse(mutated);
        const result = read(mutated);
        expect(result.ok, `${all[index]!.join('.')} = ${JSON.stringify(by)}`).toBe(expected.success);
        if (result.ok && expected.success) expect(result.value).toEqual(expected.data);
      }),
      { numRuns: 600 },
    );
  });
});
