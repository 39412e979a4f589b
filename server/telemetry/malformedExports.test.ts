import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleetTestServer, type FleetTestServer } from '../../test-support/fleet/fleetTestServer.js';
import { TelemetryHeadset, type SignedExport } from '../../test-support/fleet/TelemetryHeadset.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';

const databases = new TestDatabases();
const work = mkdtempSync(join(tmpdir(), 'fleet-malformed-'));
let server: FleetTestServer;
let wearer: TelemetryHeadset;
beforeAll(async () => {
  await databases.prepare(['pglite']);
  server = await startFleetTestServer(await databases.migrated('pglite'));
  wearer = await TelemetryHeadset.create(work, () => server.clock.now());
  await wearer.consent({ usage: true, performance: true });
}, PREPARE_TIMEOUT_MS);
afterAll(async () => {
  await wearer.close();
  await server.close();
  await databases.close();
  rmSync(work, { recursive: true, force: true });
});

const send = (e: SignedExport, headers: Record<string, string> = e.headers, body: Buffer = e.body) =>
  server.send({ method: 'POST', url: e.path, headers, body });
const stored = async () =>
  (await server.db.query<{ n: number }>('SELECT (SELECT count(*) FROM telemetry_logs) + (SELECT count(*) FROM telemetry_metric_points) AS n'))
    .rows[0]!.n;

/** The headset's own export of a few usage events (logs) and gauges (metrics). */
async function realExport(signal: 'logs' | 'metrics'): Promise<SignedExport> {
  await wearer.recordActivity([`screen-${crypto.randomUUID().slice(0, 8)}`, `screen-${crypto.randomUUID().slice(0, 8)}`]);
  const exports = await wearer.exports();
  await wearer.outbox.purgeCategory('usage');
  await wearer.outbox.purgeCategory('performance');
  await wearer.outbox.purgeCategory('hardware');
  await wearer.outbox.purgeCategory('errors');
  return exports.find((e) => e.signal === signal)!;
}

/** The export's JSON changed by `edit`, signed again by the wearer: well signed, badly formed. */
function edited(e: SignedExport, edit: (body: Record<string, unknown>) => void): SignedExport {
  const body = JSON.parse(e.json) as Record<string, unknown>;
  edit(body);
  return wearer.signJson(e.path, JSON.stringify(body));
}
type LogsBody = { resourceLogs: { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[] };
const logRecords = (body: Record<string, unknown>) => (body as unknown as LogsBody).resourceLogs[0]!.scopeLogs[0]!.logRecords;

describe('malformed OTLP exports', () => {
  it('refuses each whole with its code and stores nothing of it', async () => {
    const before = await stored();
    const logs = await realExport('logs');
    const cases: [string, SignedExport | { e: SignedExport; headers?: Record<string, string>; body?: Buffer }, string, number][] = [
      ['gzip of text that is not JSON', wearer.signJson('/v1/logs', '{"resourceLogs": ['), 'MALFORMED_JSON', 400],
      ['a time that is a boolean', edited(logs, (b) => (logRecords(b)[0]!.timeUnixNano = true)), 'INVALID_INPUT', 400],
      ['a severity as its name', edited(logs, (b) => (logRecords(b)[0]!.severityNumber = 'SEVERITY_NUMBER_INFO')), 'INVALID_INPUT', 400],
      ['attributes that are an object', edited(logs, (b) => (logRecords(b)[0]!.attributes = { a: 1 })), 'INVALID_INPUT', 400],
      ['resourceLogs that is not a list', wearer.signJson('/v1/logs', '{"resourceLogs": {"a": 1}}'), 'INVALID_INPUT', 400],
      [
        'values nested deeper than any export',
        edited(logs, (b) => {
          let value: Record<string, unknown> = { stringValue: 'bottom' };
          for (let i = 0; i < 40; i++) value = { arrayValue: { values: [value] } };
          logRecords(b)[0]!.body = value;
        }),
        'INVALID_INPUT',
        400,
      ],
      [
        'JSON nested 5000 deep where an export has none',
        wearer.signJson('/v1/logs', `{"resourceLogs": [${'['.repeat(5000)}${']'.repeat(5000)}]}`),
        'INVALID_INPUT',
        400,
      ],
      ['a body changed on the way', { e: logs, body: Buffer.from('definitely not gzip') }, 'TELEMETRY_SIGNATURE_INVALID', 401],
      [
        'a gzip bomb: a few KiB that unpack past 4 MiB',
        wearer.signJson('/v1/logs', `{"resourceLogs": [], "padding": "${' '.repeat(5 * 1024 * 1024)}"}`),
        'BODY_TOO_LARGE',
        413,
      ],
      ['protobuf, not JSON', { e: logs, headers: { ...logs.headers, 'content-type': 'application/x-protobuf' } }, 'UNSUPPORTED_MEDIA_TYPE', 415],
      ['a date that is not ISO 8601', { e: logs, headers: { ...logs.headers, 'x-headset-date': 'yesterday' } }, 'TELEMETRY_SIGNATURE_MISSING', 401],
      [
        'a key of 31 bytes',
        { e: logs, headers: { ...logs.headers, 'x-headset-device': Buffer.alloc(31).toString('base64') } },
        'TELEMETRY_SIGNATURE_MISSING',
        401,
      ],
      ['signed for the other path', { e: { ...logs, path: '/v1/metrics' } }, 'TELEMETRY_SIGNATURE_INVALID', 401],
    ];
    for (const [what, input, code, status] of cases) {
      const { e, headers, body } = 'e' in input ? input : { e: input, headers: undefined, body: undefined };
      const answer = await send(e, headers ?? e.headers, body ?? e.body);
      expect({ what, status: answer.status, code: answer.json().code }).toEqual({ what, status, code });
    }
    // Corrupt gzip signed as sent: the signature holds, the encoding does not.
    const corrupt = wearer.signBytes('/v1/logs', gzipSync(logs.json).subarray(0, 30));
    expect((await send(corrupt)).json()).toMatchObject({ code: 'TELEMETRY_ENCODING_INVALID' });
    expect(await stored()).toBe(before);
    // The untouched export still goes through: nothing above used it up.
    expect((await send(logs)).json()).toEqual({});
    expect(await stored()).toBe(before + JSON.parse(logs.json).resourceLogs[0].scopeLogs[0].logRecords.length);
  });

  it('refuses records it cannot keep one by one, as OTLP partial success, and keeps the rest', async () => {
    const logs = await realExport('logs');
    const count = logRecords(JSON.parse(logs.json)).length;
    expect(count).toBeGreaterThanOrEqual(2);
    const now = BigInt(server.clock.now().getTime()) * 1_000_000n;
    const day = 86_400_000_000_000n;
    const partial = edited(logs, (b) => {
      const records = logRecords(b);
      records[0]!.attributes = (records[0]!.attributes as { key: string }[]).filter((a) => a.key !== 'log.record.uid');
      records[1]!.timeUnixNano = String(now - 400n * day);
      records.push({ ...records[1]!, timeUnixNano: String(now + 3n * day) });
    });
    const answer = await send(partial);
    expect(answer.status).toBe(200);
    const body = answer.json<{ partialSuccess: { rejectedLogRecords: string; errorMessage: string } }>();
    expect(body.partialSuccess.rejectedLogRecords).toBe('3');
    expect(body.partialSuccess.errorMessage).toMatch(/log\.record\.uid.*retention.*future|uid/);

    const metrics = await realExport('metrics');
    type MetricsBody = { resourceMetrics: { scopeMetrics: { metrics: Record<string, unknown>[] }[] }[] };
    const histogram = edited(metrics, (b) => {
      (b as unknown as MetricsBody).resourceMetrics[0]!.scopeMetrics[0]!.metrics.push({
        name: 'made.up',
        histogram: { dataPoints: [{ timeUnixNano: String(now), count: '1' }], aggregationTemporality: 2 },
      });
    });
    const metricAnswer = await send(histogram);
    expect(metricAnswer.json()).toEqual({
      partialSuccess: { rejectedDataPoints: '1', errorMessage: expect.stringContaining('histogram') },
    });
  });
});
