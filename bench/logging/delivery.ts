import { createRequire } from 'node:module';
import { join } from 'node:path';
import { seededRandom } from '../../src/seededRandom.js';
import { OtlpForwarder } from '../../main/services/telemetry/OtlpForwarder.js';
import { Outbox } from '../../main/services/telemetry/Outbox.js';
import { logRecord, SwitchableNetwork, testSigner } from '../../test-support/telemetry/fixtures.js';
import { OtlpTestReceiver, makeSelfSignedCertificate, type Behaviour } from '../../test-support/telemetry/OtlpTestReceiver.js';
import type { LoggingCase } from './index.js';

const RECORDS = 20_000;
const RATE_PER_SECOND = 1000;
const LIMIT_BYTES = 1024 * 1024;
/** LIMIT_BYTES in records as the outbox stores them (about 400 bytes each). */
const QUEUE_RECORDS = 2600;

/**
 * Durable delivery through a hostile receiver: RECORDS log records produced at RATE_PER_SECOND
 * into a 1 MiB outbox while the forwarder drains it over HTTPS to a receiver that fails 30 % of
 * requests: 10 % 503, 5 % 429, 5 % 502, 1 % a 200 that is no OTLP answer, 8.5 % connection
 * dropped before the body is read, 0.5 % dropped after the receiver took the records (the answer
 * is lost: the only case where a resend is a duplicate, so about 0.5 % / 70 % ≈ 0.7 % of records
 * arrive twice whatever the sender does). Every body the receiver takes is checked
 * against the official OpenTelemetry protobuf definitions and its device signature. The fault
 * sequence is seeded, so runs compare.
 */
export const delivery: LoggingCase = {
  name: 'delivery',
  async run(work, log) {
    const tls = makeSelfSignedCertificate(work);
    const ours = await deliverThroughOutbox(join(work, 'outbox'), tls);
    log(describe('outbox + forwarder', ours));
    const reference = await deliverThroughSdk(tls);
    log(describe('OpenTelemetry SDK', reference));
    const name = 'delivery through a failing receiver (30 % of requests)';
    const details = {
      records: RECORDS,
      ratePerSecond: RATE_PER_SECOND,
      requests: ours.requests,
      failedRequestsPercent: ours.failedPercent,
      seconds: ours.seconds,
      outboxPeakBytes: ours.peakBytes,
      outboxLimitBytes: LIMIT_BYTES,
      rejectedBodies: ours.problems,
      referenceDeliveredPercent: reference.deliveredPercent,
      referenceDuplicates: reference.duplicates,
    };
    return [
      {
        name,
        metric: 'records delivered',
        value: ours.deliveredPercent,
        unit: '%',
        goal: '100 %',
        met: ours.delivered === RECORDS && ours.problems === 0,
        details,
      },
      {
        name,
        metric: 'duplicates received',
        value: round((ours.duplicates / RECORDS) * 100, 3),
        unit: '%',
        goal: '≤ 1 %',
        met: ours.duplicates <= RECORDS / 100,
        details,
      },
      {
        name,
        metric: 'outbox peak vs its bound',
        value: round(ours.peakBytes / LIMIT_BYTES, 3),
        unit: '×',
        goal: '≤ 1.0×',
        met: ours.peakBytes <= LIMIT_BYTES && ours.dropped === 0,
        details,
      },
      {
        name: `${name}: reference, OpenTelemetry JS SDK (BatchLogRecordProcessor, queue ${QUEUE_RECORDS}, + OTLPLogExporter http/json 0.52.1)`,
        metric: 'records delivered',
        value: reference.deliveredPercent,
        unit: '%',
        goal: 'informative',
        met: true,
        details: {
          duplicates: reference.duplicates,
          requests: reference.requests,
          failedRequestsPercent: reference.failedPercent,
          seconds: reference.seconds,
        },
      },
      {
        name: `${name}: ours vs the reference`,
        metric: 'delivered ratio ours/reference',
        value: round(ours.delivered / Math.max(1, reference.delivered), 2),
        unit: '×',
        goal: '≥ 1.0×',
        met: ours.delivered >= reference.delivered,
        details,
      },
    ];
  },
};

interface Outcome {
  delivered: number;
  deliveredPercent: number;
  duplicates: number;
  requests: number;
  failedPercent: number;
  seconds: number;
  problems: number;
  peakBytes: number;
  dropped: number;
}

function describe(what: string, o: Outcome): string {
  return `${what}: ${o.delivered}/${RECORDS} delivered in ${o.seconds} s, ${o.duplicates} duplicates, ${o.requests} requests (${o.failedPercent} % failed), ${o.problems} bodies refused${o.peakBytes ? `, outbox peak ${o.peakBytes} B of ${LIMIT_BYTES}, dropped ${o.dropped}` : ''}`;
}

function outcome(receiver: OtlpTestReceiver, started: number, extra: { peakBytes: number; dropped: number }): Outcome {
  const failed = receiver.requests.filter((r) => r.behaviour !== 'ok').length;
  return {
    delivered: receiver.logs.size,
    deliveredPercent: round((receiver.logs.size / RECORDS) * 100, 3),
    duplicates: receiver.duplicates,
    requests: receiver.requests.length,
    failedPercent: round((failed / Math.max(1, receiver.requests.length)) * 100),
    seconds: round((performance.now() - started) / 1000, 1),
    problems: receiver.problems.length,
    ...extra,
  };
}

/** Produces RECORDS at RATE_PER_SECOND, in ticks of 10 ms, as headsetd's log and telemetry do. */
async function produce(emit: (i: number) => Promise<void> | void, afterTick: () => void = () => undefined): Promise<void> {
  const perTick = RATE_PER_SECOND / 100;
  for (let i = 0; i < RECORDS;) {
    const tickStart = performance.now();
    const writes: (Promise<void> | void)[] = [];
    for (let j = 0; j < perTick && i < RECORDS; j++, i++) writes.push(emit(i));
    await Promise.all(writes);
    afterTick();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 10 - (performance.now() - tickStart))));
  }
}

async function deliverThroughOutbox(dir: string, tls: { cert: string; key: string }): Promise<Outcome> {
  const receiver = await OtlpTestReceiver.start(tls);
  const random = seededRandom(0x5eed);
  receiver.behave = () => pickFault(random());
  const outbox = await Outbox.open({ dir, limitBytes: LIMIT_BYTES });
  const forwarder = new OtlpForwarder({
    outbox,
    endpoint: { url: receiver.url, ca: tls.cert },
    signer: testSigner(),
    network: new SwitchableNetwork(),
    resource: () => ({ serviceName: 'headsetd', serviceVersion: 'bench', deviceId: null }),
    timeoutMs: 2000,
    // The production backoff (1 s doubling to 5 min) scaled down so the run takes seconds.
    backoff: { baseMs: 20, maxMs: 500, maxRetryAfterMs: 1000 },
    idleMs: 50,
    random: seededRandom(7),
  });
  let peakBytes = 0;
  const sample = () => (peakBytes = Math.max(peakBytes, outbox.stats().queuedBytes));
  const sampler = setInterval(sample, 5);
  const started = performance.now();
  forwarder.start();
  try {
    await produce((i) => outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord(`bench record ${i}`) }), sample);
    const deadline = Date.now() + 120_000;
    while (receiver.logs.size < RECORDS && Date.now() < deadline && outbox.stats().dropped === 0)
      await new Promise((resolve) => setTimeout(resolve, 20));
    return outcome(receiver, started, { peakBytes, dropped: outbox.stats().dropped });
  } finally {
    clearInterval(sampler);
    await forwarder.stop();
    await outbox.close();
    await receiver.close();
  }
}

/**
 * The reference: the OpenTelemetry JS SDK as an application would use it (an in-memory queue,
 * batches of 512, up to 5 attempts on 429/502/503/504, none on a dropped connection), through the
 * same fault sequence. Its receiver asks for no device signature.
 */
async function deliverThroughSdk(tls: { cert: string; key: string }): Promise<Outcome> {
  const receiver = await OtlpTestReceiver.start(tls, { foreign: true });
  const random = seededRandom(0x5eed);
  receiver.behave = () => pickFault(random());
  const require = createRequire(import.meta.url);
  const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs') as typeof import('@opentelemetry/sdk-logs');
  const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http') as typeof import('@opentelemetry/exporter-logs-otlp-http');
  const exporter = new OTLPLogExporter({
    url: `${receiver.url}/v1/logs`,
    compression: 'gzip' as never,
    httpAgentOptions: { ca: tls.cert },
    timeoutMillis: 2000,
  });
  const provider = new LoggerProvider();
  // Exporting as often as our forwarder may (its defaults, one batch a second, cannot carry 1000/s),
  // with a queue about the size of our outbox's bound in records.
  provider.addLogRecordProcessor(
    new BatchLogRecordProcessor(exporter, { scheduledDelayMillis: 50, maxQueueSize: QUEUE_RECORDS, maxExportBatchSize: 512 }),
  );
  const logger = provider.getLogger('bench');
  const started = performance.now();
  try {
    await produce((i) => logger.emit({ body: `bench record ${i}`, severityNumber: 9, severityText: 'INFO' }));
    await provider.forceFlush().catch(() => undefined);
    // Let retries in flight settle.
    const deadline = Date.now() + 30_000;
    let last = -1;
    while (Date.now() < deadline && receiver.requests.length !== last) {
      last = receiver.requests.length;
      await new Promise((resolve) => setTimeout(resolve, 6000));
    }
    return outcome(receiver, started, { peakBytes: 0, dropped: 0 });
  } finally {
    await provider.shutdown().catch(() => undefined);
    await receiver.close();
  }
}

function pickFault(x: number): Behaviour {
  if (x < 0.1) return { kind: 'status', status: 503 };
  if (x < 0.15) return { kind: 'status', status: 429 };
  if (x < 0.2) return { kind: 'status', status: 502 };
  if (x < 0.21) return { kind: 'garbage-200' };
  if (x < 0.295) return { kind: 'drop-before' };
  if (x < 0.3) return { kind: 'drop-after' };
  return { kind: 'ok' };
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
