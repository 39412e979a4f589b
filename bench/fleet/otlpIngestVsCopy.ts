import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Agent } from 'undici';
import { buildServer } from '../../server/buildServer.js';
import { systemClock } from '../../server/clock.js';
import { loadMigrations, migrate } from '../../server/db/migrations.js';
import { PostgresDatabase } from '../../server/db/PostgresDatabase.js';
import { argon2idHasher } from '../../server/operators/passwords.js';
import { logRows, type LogRow } from '../../server/telemetry/otlpRecords.js';
import { DayPartitions, dayOf } from '../../server/telemetry/partitions.js';
import { DEFAULT_TELEMETRY_RETENTION_DAYS } from '../../server/telemetry/telemetryRoutes.js';
import { TELEMETRY_API, TELEMETRY_SIGNATURE_HEADERS, telemetrySignedText, type ExportLogsRequest } from '../../src/fleet/telemetryApi.js';
import { encodeLogsRequest, logRecordToOtlp } from '../../src/telemetry/otlpEncode.js';
import { seededRandom } from '../../src/seededRandom.js';
import { startTemporaryPostgres } from '../../test-support/postgres/TemporaryPostgres.js';
import type { BenchResult } from '../harness.js';

/** Records per export: the headset's batch size. */
const PER_EXPORT = 512;
const EXPORTS = 120;
const ROUNDS = 3;
/** Exports in flight at once (several headsets sending at the same time). */
const CONCURRENCY = 6;
const HEADSETS = 24;

const SUBSYSTEMS = ['update', 'network', 'health', 'telemetry', 'boot', 'gps', 'backup'];
const MESSAGES = [
  'download stalled; retrying',
  'install step failed',
  'temperature high',
  'connection lost',
  'GPS fix lost',
  'backup destination unreachable',
  'slot verification slow',
];

interface Headset {
  key: KeyObject;
  publicKey: string;
  pseudonym: string;
}

/** The exports a fleet of headsets sends: error log lines as the headset encodes them (logRecordToOtlp, encodeLogsRequest). */
function makeExports(random: () => number, now: number): { headset: Headset; json: string }[] {
  const headsets: Headset[] = Array.from({ length: HEADSETS }, (_, i) => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    return {
      key: privateKey,
      publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64'),
      pseudonym: createHash('sha256').update(`headset-${i}`).digest('hex').slice(0, 32),
    };
  });
  return Array.from({ length: EXPORTS }, (_, e) => {
    const headset = headsets[e % HEADSETS]!;
    const logs = Array.from({ length: PER_EXPORT }, (_, i) => {
      const level = random() < 0.7 ? 'warn' : 'error';
      const record = logRecordToOtlp({
        time: new Date(now - Math.floor(random() * 3_600_000)).toISOString(),
        level,
        subsystem: SUBSYSTEMS[Math.floor(random() * SUBSYSTEMS.length)]!,
        msg: MESSAGES[Math.floor(random() * MESSAGES.length)]!,
        fields: { attempt: Math.floor(random() * 5), bytes: Math.floor(random() * 1e9), target: '1.4.2' },
        version: '1.4.2',
        commit: '0123456789abcdef0123456789abcdef01234567',
        bootId: '7f3c2a4e-8b1d-4c6a-9e2f-5d7b3a1c9e04',
        seq: e * PER_EXPORT + i,
      } as Parameters<typeof logRecordToOtlp>[0]);
      record.eventName = 'log.record';
      record.attributes.push({ key: 'headset.device.pseudonym', value: { stringValue: headset.pseudonym } });
      return { uid: crypto.randomUUID(), category: 'errors', record };
    });
    return { headset, json: JSON.stringify(encodeLogsRequest({ serviceName: 'headsetd', serviceVersion: '1.4.2', deviceId: null }, logs)) };
  });
}

function signed(headset: Headset, json: string, path: string) {
  const body = gzipSync(json);
  const date = new Date().toISOString();
  const digest = createHash('sha256').update(body).digest('hex');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      [TELEMETRY_SIGNATURE_HEADERS.key]: headset.publicKey,
      [TELEMETRY_SIGNATURE_HEADERS.date]: date,
      [TELEMETRY_SIGNATURE_HEADERS.signature]: sign(null, Buffer.from(telemetrySignedText('POST', path, date, digest)), headset.key).toString(
        'base64',
      ),
    },
  };
}

const COLUMNS = [
  'day',
  'uid',
  'time',
  'received_at',
  'expires_on',
  'pseudonym',
  'category',
  'event_name',
  'severity',
  'body',
  'attributes',
  'service_version',
];

/** The rows the server stores for these exports, as CSV for COPY (every value quoted, NULL unquoted). */
function csvOf(rows: LogRow[], receivedAt: string): string {
  const quote = (value: unknown) => (value === null ? '' : `"${String(value).replaceAll('"', '""')}"`);
  return rows
    .map((r) =>
      [
        r.day,
        r.uid,
        r.time,
        receivedAt,
        r.expires_on,
        r.pseudonym,
        r.category,
        r.event_name,
        r.severity,
        r.body,
        JSON.stringify(r.attributes),
        r.service_version,
      ]
        .map(quote)
        .join(','),
    )
    .join('\n');
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * OTLP ingest vs PostgreSQL's COPY of the same rows into the same table (the engine's ceiling): the
 * fleet server on PostgreSQL takes gzip, signed exports over HTTP (signature check, gunzip, parse,
 * schema, rows, one insert per export with de-duplication) from several senders at once; COPY loads
 * the very rows that ingest stored, from a file the server reads, into the emptied table.
 */
export async function benchOtlpIngestVsCopy(work: string, migrationsDir: string, log: (line: string) => void): Promise<BenchResult[]> {
  const cluster = await startTemporaryPostgres();
  const db = await PostgresDatabase.open({ connectionString: await cluster.createDatabase('fleet_bench'), maxConnections: 10 });
  const app = await buildServer({ db, clock: systemClock, passwords: argon2idHasher('minimum'), secureCookies: false });
  const agent = new Agent({ connections: CONCURRENCY, pipelining: 1 });
  try {
    await migrate(db, await loadMigrations(migrationsDir));
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const exports = makeExports(seededRandom(14), Date.now());
    const total = EXPORTS * PER_EXPORT;
    await new DayPartitions(db).ensure([dayOf(Date.now() - 86_400_000), dayOf(Date.now())]);
    // The PostgreSQL server reads the file (as its own user when the bench runs as root).
    chmodSync(work, 0o755);
    const csvPath = join(work, 'rows.csv');
    const ingestRates: number[] = [];
    const copyRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await db.query('TRUNCATE telemetry_logs, telemetry_signatures, telemetry_pseudonym_keys');
      const requests = exports.map(({ headset, json }) => signed(headset, json, TELEMETRY_API.logs));
      let next = 0;
      const started = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < requests.length) {
            const request = requests[next++]!;
            const response = await fetch(`${address}${TELEMETRY_API.logs}`, {
              method: 'POST',
              headers: request.headers,
              body: new Uint8Array(request.body),
              dispatcher: agent,
            } as RequestInit);
            const text = await response.text();
            if (response.status !== 200 || text !== '{}') throw new Error(`ingest answered ${response.status}: ${text.slice(0, 200)}`);
          }
        }),
      );
      const ingestSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      const stored = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry_logs')).rows[0]!.n;
      if (stored !== total) throw new Error(`ingest stored ${stored} rows of ${total}`);

      // The same rows, as the server made them, loaded by COPY into the emptied table.
      const rows = exports.flatMap(
        ({ json }) => logRows(JSON.parse(json) as ExportLogsRequest, { now: new Date(), retentionDays: DEFAULT_TELEMETRY_RETENTION_DAYS }).rows,
      );
      writeFileSync(csvPath, csvOf(rows, new Date().toISOString()));
      chmodSync(csvPath, 0o644);
      await db.query('TRUNCATE telemetry_logs');
      const copyStarted = process.hrtime.bigint();
      await db.query(`COPY telemetry_logs (${COLUMNS.join(', ')}) FROM '${csvPath}' WITH (FORMAT csv)`);
      const copySeconds = Number(process.hrtime.bigint() - copyStarted) / 1e9;
      const copied = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry_logs')).rows[0]!.n;
      if (copied !== total) throw new Error(`COPY loaded ${copied} rows of ${total}`);
      ingestRates.push(total / ingestSeconds);
      copyRates.push(total / copySeconds);
      log(`round ${round + 1}: ingest ${Math.round(total / ingestSeconds)} records/s, COPY ${Math.round(total / copySeconds)} rows/s`);
    }
    const ratio = median(ingestRates.map((rate, i) => rate / copyRates[i]!));
    const details = {
      records: total,
      perExport: PER_EXPORT,
      concurrency: CONCURRENCY,
      ingestRecordsPerSecond: Math.round(median(ingestRates)),
      copyRowsPerSecond: Math.round(median(copyRates)),
      // The machine is shared: its load says how far the figures are from an idle one's.
      loadAverage: loadavg()[0]!.toFixed(1),
    };
    return [
      {
        name: `OTLP/HTTP JSON log ingest on PostgreSQL (${EXPORTS} gzip exports of ${PER_EXPORT} signed records, ${CONCURRENCY} at once, de-duplicated, day-partitioned) vs COPY of the same rows into the same table`,
        metric: `throughput ratio ingest/COPY, median of ${ROUNDS}`,
        value: Number(ratio.toFixed(2)),
        unit: '×',
        goal: '≥ 0.5×',
        met: ratio >= 0.5,
        details,
      },
      {
        name: 'OTLP/HTTP JSON log ingest on PostgreSQL, records per second',
        metric: `records/s, median of ${ROUNDS}`,
        value: details.ingestRecordsPerSecond,
        unit: 'records/s',
        goal: 'informative',
        met: true,
      },
      {
        name: 'COPY of the same rows (FORMAT csv, from a file the server reads)',
        metric: `rows/s, median of ${ROUNDS}`,
        value: details.copyRowsPerSecond,
        unit: 'rows/s',
        goal: 'informative',
        met: true,
      },
    ];
  } finally {
    await app.close();
    await agent.close();
    await db.close();
    await cluster.destroy();
  }
}
