import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../logging/logRecord.js';
import { encodeLogsRequest, encodeMetricsRequest, isoToUnixNano, logRecordToOtlp, parseExportResponse, toAnyValue } from './otlpEncode.js';

type ProtoType = {
  fromObject(o: unknown): unknown;
  encode(m: unknown): { finish(): Uint8Array };
  decode(b: Uint8Array): unknown;
  toObject(m: unknown, o: object): unknown;
};
const proto = (
  generated as unknown as {
    opentelemetry: {
      proto: { collector: { logs: { v1: { ExportLogsServiceRequest: ProtoType } }; metrics: { v1: { ExportMetricsServiceRequest: ProtoType } } } };
    };
  }
).opentelemetry.proto.collector;

/** Through the official protobuf definitions and back: unknown keys and wrong types do not survive. */
function roundTrip(type: ProtoType, body: unknown): unknown {
  return type.toObject(type.decode(type.encode(type.fromObject(JSON.parse(JSON.stringify(body)))).finish()), {
    longs: String,
    enums: Number,
    defaults: false,
  });
}

const entry: LogRecord = {
  time: '2026-11-22T10:00:00.123Z',
  level: 'warn',
  subsystem: 'gps',
  msg: 'no fix yet',
  version: '1.4.0',
  commit: 'abc123',
  bootId: 'boot-7',
  seq: 42,
  fields: { satellites: 3, hdop: 1.5, ok: false, path: ['a'] },
};
const resource = { serviceName: 'headsetd', serviceVersion: '1.4.0', deviceId: 'anon' };

describe('OTLP JSON encoding', () => {
  it('maps a log entry: severity numbers, nanoseconds as a decimal string, build and boot attributes', () => {
    const record = logRecordToOtlp(entry);
    expect(record).toMatchObject({
      timeUnixNano: '1795341600123000000',
      severityNumber: 13,
      severityText: 'WARN',
      body: { stringValue: 'no fix yet' },
    });
    const attributes = Object.fromEntries(record.attributes.map((a) => [a.key, a.value]));
    expect(attributes).toEqual({
      'headset.subsystem': { stringValue: 'gps' },
      'headset.app.version': { stringValue: '1.4.0' },
      'headset.app.commit': { stringValue: 'abc123' },
      'headset.boot.id': { stringValue: 'boot-7' },
      'headset.log.seq': { intValue: '42' },
      'headset.field.satellites': { intValue: '3' },
      'headset.field.hdop': { doubleValue: 1.5 },
      'headset.field.ok': { boolValue: false },
      'headset.field.path': { arrayValue: { values: [{ stringValue: 'a' }] } },
    });
    expect((['debug', 'info', 'warn', 'error', 'fatal'] as const).map((level) => logRecordToOtlp({ ...entry, level }).severityNumber)).toEqual([
      5, 9, 13, 17, 21,
    ]);
  });

  it('is exact OTLP: the official definitions give back what we wrote', () => {
    const body = encodeLogsRequest(resource, [{ uid: 'u-1', category: 'errors', record: logRecordToOtlp(entry) }]);
    expect(roundTrip(proto.logs.v1.ExportLogsServiceRequest, body)).toEqual(JSON.parse(JSON.stringify(body)));
    const metrics = encodeMetricsRequest(resource, [
      {
        uid: 'm',
        category: 'performance',
        metric: {
          name: 'cpu',
          description: 'load',
          unit: '1',
          gauge: { dataPoints: [{ attributes: [{ key: 'core', value: { intValue: '0' } }], timeUnixNano: '5', asDouble: 0.5 }] },
        },
      },
      {
        uid: 'n',
        category: 'performance',
        metric: {
          name: 'boots',
          description: 'count',
          unit: '{boot}',
          sum: {
            dataPoints: [{ attributes: [{ key: 'slot', value: { stringValue: 'A' } }], startTimeUnixNano: '1', timeUnixNano: '5', asInt: '3' }],
            aggregationTemporality: 2,
            isMonotonic: true,
          },
        },
      },
    ]);
    expect(roundTrip(proto.metrics.v1.ExportMetricsServiceRequest, metrics)).toEqual(JSON.parse(JSON.stringify(metrics)));
  });

  it('the check would catch a wrong type: an int64 as a number, an enum as its name, a misspelled key', () => {
    const good = encodeLogsRequest(resource, [{ uid: 'u', category: 'errors', record: logRecordToOtlp(entry) }]);
    const bad = JSON.parse(JSON.stringify(good));
    bad.resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano = 1795341600123000000;
    expect(roundTrip(proto.logs.v1.ExportLogsServiceRequest, bad)).not.toEqual(bad);
    const misspelled = JSON.parse(JSON.stringify(good));
    misspelled.resourceLogs[0].scopeLogs[0].logRecords[0].severity_number = 13;
    expect(roundTrip(proto.logs.v1.ExportLogsServiceRequest, misspelled)).not.toEqual(misspelled);
  });

  it('puts the outbox id on every record as log.record.uid, and the category', () => {
    const body = encodeLogsRequest({ ...resource, deviceId: null }, [
      {
        uid: 'abc',
        category: 'usage',
        record: { ...logRecordToOtlp(entry), attributes: [{ key: 'log.record.uid', value: { stringValue: 'forged' } }] },
      },
    ]);
    expect(body.resourceLogs[0]!.resource.attributes.map((a) => a.key)).toEqual(['service.name', 'service.version']);
    expect(body.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.attributes).toEqual([
      { key: 'log.record.uid', value: { stringValue: 'abc' } },
      { key: 'headset.telemetry.category', value: { stringValue: 'usage' } },
    ]);
  });

  it('converts values JSON cannot say exactly', () => {
    expect(toAnyValue(2 ** 60)).toEqual({ doubleValue: 2 ** 60 });
    expect(toAnyValue(10n ** 18n)).toEqual({ intValue: '1000000000000000000' });
    expect(toAnyValue(Number.NaN)).toEqual({ stringValue: 'NaN' });
    expect(toAnyValue(null)).toEqual({ stringValue: '' });
    expect(isoToUnixNano('1970-01-01T00:00:00.000Z')).toBe('0');
    expect(() => isoToUnixNano('yesterday')).toThrow(RangeError);
  });

  it('reads export responses: full success, partial success, and what is no response', () => {
    expect(parseExportResponse('', 'logs')).toEqual({ rejected: 0 });
    expect(parseExportResponse('{}', 'logs')).toEqual({ rejected: 0 });
    expect(parseExportResponse('{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"too old"}}', 'logs')).toEqual({
      rejected: 3,
      errorMessage: 'too old',
    });
    expect(parseExportResponse('{"partialSuccess":{"rejectedDataPoints":2}}', 'metrics')).toEqual({ rejected: 2 });
    expect(parseExportResponse('{"partialSuccess":{}}', 'logs')).toEqual({ rejected: 0 });
    expect(parseExportResponse('<html>', 'logs')).toBeUndefined();
    expect(parseExportResponse('[1]', 'logs')).toBeUndefined();
    expect(parseExportResponse('{"partialSuccess":{"rejectedLogRecords":"x"}}', 'logs')).toBeUndefined();
  });
});
