import { Agent, request } from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { encodeLogsRequest, encodeMetricsRequest, parseExportResponse, type OtlpResourceInfo } from '../../../src/telemetry/otlpEncode.js';
import { DEFAULT_BACKOFF, backoffDelay, decideRetry, type BackoffOptions, type ExportOutcome } from '../../../src/telemetry/retryPolicy.js';
import type { Outbox, OutboxBatch, OutboxRecord } from './Outbox.js';
import type { NetworkMonitor } from '../platform/NetworkMonitor.js';
import { pseudonymOf } from './recordPseudonym.js';
import { signatureHeaders, type RequestSigner } from './RequestSigner.js';
import type { SubsystemLogger } from '../logging/Logger.js';

const gzipAsync = promisify(gzip);

/**
 * Sends what the outbox holds to an OTLP/HTTP receiver: JSON bodies, gzip, over HTTPS, each
 * request signed by the week's telemetry key (RequestSigner). One batch at a time, critical
 * first; a batch's chunks leave the outbox only when every record in them was acknowledged (or
 * refused for good). A turn that throws puts its batch back and backs off: the loop never ends.
 *
 *   idle --records--> sending --2xx--> idle
 *     ^                 |  \--429/502/503/504/network--> backoff (Retry-After or full jitter) --> sending
 *     |                 \--413: halves; 400: drop and count; partial success: count, no resend
 *   offline / metered (bulk only): wait, polling the network state
 */

export interface TelemetryEndpoint {
  /** Base URL: requests go to URL/v1/logs and URL/v1/metrics. */
  url: string;
  /** PEM of the CA that signed the receiver's certificate (else the system's CAs). */
  ca?: string;
}

/** The signing key of each week (pseudonym) records were recorded under. */
export interface WeekSigners {
  /** The signer of the week `pseudonym` belongs to; undefined when that key is gone. */
  signerFor(pseudonym: string): RequestSigner | undefined;
  /** Whether keys are kept past their key's reset (then destroyed by retainOnly once unused). */
  keepsRetired(): boolean;
  retainOnly(queued: ReadonlySet<string>): Promise<unknown>;
}

export interface ForwarderOptions {
  outbox: Outbox;
  endpoint: TelemetryEndpoint;
  /** Signs records that carry no pseudonym (and all records when `weeks` is not given). */
  signer: RequestSigner;
  /** Records are signed by the key of the week they were recorded under, one week per request. */
  weeks?: WeekSigners;
  network: NetworkMonitor;
  resource: () => OtlpResourceInfo;
  /** Uncompressed JSON body limit (OTLP receivers commonly stop at 20 MiB). */
  maxBodyBytes?: number;
  maxBatchRecords?: number;
  /** Whole-request deadline: a receiver that stalls or trickles is a network error. */
  timeoutMs?: number;
  backoff?: BackoffOptions;
  networkPollMs?: number;
  /** How long to sleep when nothing is queued (an enqueue wakes it earlier). */
  idleMs?: number;
  now?: () => Date;
  random?: () => number;
  log?: SubsystemLogger;
}

/** What one turn of the loop holds, so a throw anywhere in it can hand the batch back. */
interface Iteration {
  retrying: OutboxBatch | undefined;
  batch: OutboxBatch | undefined;
}

interface SendResult {
  delivered: number;
  rejected: number;
  retry?: { delayMs: number; reason: string };
}

export class OtlpForwarder {
  private readonly agent: Agent;
  private readonly base: URL;
  private stopped = true;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private wakeStop: (() => void) | undefined;
  private attempt = 0;
  private lastFailure: string | undefined;
  /** Records the receiver already took while their chunk is still queued: not sent twice by us. */
  private readonly acked = new Map<string, 'delivered' | 'rejected'>();
  private readonly inflight = new Set<AbortController>();
  private readonly maxBodyBytes: number;
  private readonly maxBatchRecords: number;
  private readonly now: () => Date;

  constructor(private readonly options: ForwarderOptions) {
    this.base = new URL(options.endpoint.url.replace(/\/+$/, ''));
    if (this.base.protocol !== 'https:') throw new Error(`telemetry endpoint must be https: ${options.endpoint.url}`);
    this.agent = new Agent({ keepAlive: true, maxSockets: 1, ...(options.endpoint.ca ? { ca: options.endpoint.ca } : {}) });
    this.maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
    // The OpenTelemetry SDK's batch size: a lost acknowledgement resends at most this many.
    this.maxBatchRecords = options.maxBatchRecords ?? 512;
    this.now = options.now ?? (() => new Date());
  }

  get endpoint(): string {
    return this.base.toString().replace(/\/+$/, '');
  }

  /** How many records the receiver took whose chunk is still queued (bounded by one batch). */
  get heldAcknowledgements(): number {
    return this.acked.size;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const off = this.options.outbox.onChange(() => this.wake?.());
    // run() survives any failure of one turn; this catch is only for a bug in the loop itself.
    this.loop = this.run()
      .catch((error: unknown) => this.options.log?.warn(`forwarder stopped on an error: ${String(error)}`))
      .finally(off);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const controller of this.inflight) controller.abort();
    this.wakeStop?.();
    await this.loop;
    this.agent.destroy();
  }

  private async run(): Promise<void> {
    // A failed batch is retried as it was: records that arrived meanwhile wait for the next one.
    let retrying: OutboxBatch | undefined;
    while (!this.stopped) {
      const state: Iteration = { retrying, batch: undefined };
      try {
        retrying = await this.iterate(state);
      } catch (error) {
        // Whatever threw (signer, resource, encoding, gzip, acknowledgement), forwarding goes on:
        // the batch goes back to the outbox, and the next try waits like any failed send.
        retrying = undefined;
        const taken = state.batch ?? state.retrying;
        if (taken) {
          this.options.outbox.release(taken);
          this.forget(taken.records);
        }
        this.attempt++;
        this.fail('TELEMETRY_SEND_FAILED', `sending failed: ${error instanceof Error ? error.message : String(error)}`);
        this.options.outbox.setDeliveryState({ waitingFor: 'retry' });
        await this.sleep(backoffDelay(this.attempt, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random));
      }
    }
    if (retrying) this.options.outbox.release(retrying);
  }

  /** One turn of the loop; returns the batch to retry next, if any. */
  private async iterate(state: Iteration): Promise<OutboxBatch | undefined> {
    const { outbox } = this.options;
    const network = await this.options.network.state();
    const allowBulk = network === 'online';
    let { retrying } = state;
    if (retrying && (network === 'offline' || (!allowBulk && retrying.records.some((r) => r.priority === 'bulk')))) {
      outbox.release(retrying);
      retrying = undefined;
      state.retrying = undefined;
    }
    if (network === 'offline') {
      outbox.setDeliveryState({ waitingFor: 'network' });
      await this.sleep(this.options.networkPollMs ?? 5000);
      return undefined;
    }
    let batch: OutboxBatch | undefined = retrying && outbox.stillQueued(retrying);
    if (retrying) {
      // Records purged or expired during the backoff are gone for good: so is what we knew of them.
      const kept = new Set(batch!.chunks.length === 0 ? [] : batch!.records.map((r) => r.id));
      this.forget(retrying.records.filter((r) => !kept.has(r.id)));
    }
    if (batch && batch.chunks.length === 0) batch = undefined;
    state.batch = batch;
    try {
      batch ??= await outbox.takeBatch({ allowBulk, maxBytes: this.maxBodyBytes, maxRecords: this.maxBatchRecords });
    } catch (error) {
      this.fail('OUTBOX_READ_FAILED', String(error));
      await this.sleep(this.options.networkPollMs ?? 5000);
      return undefined;
    }
    state.batch = batch;
    if (!batch) {
      const holdingBulk = !allowBulk && outbox.hasSendable(true);
      outbox.setDeliveryState({ waitingFor: holdingBulk ? 'unmetered-network' : null });
      await this.sleep(holdingBulk ? (this.options.networkPollMs ?? 5000) : (this.options.idleMs ?? 60_000), true);
      return undefined;
    }
    outbox.setDeliveryState({ waitingFor: null });
    const result = await this.sendBatch(batch);
    if (result.retry) {
      this.attempt++;
      this.fail('TELEMETRY_SEND_FAILED', result.retry.reason);
      outbox.setDeliveryState({ waitingFor: 'retry' });
      await this.sleep(result.retry.delayMs);
      return batch;
    }
    this.attempt = 0;
    const outcome = { delivered: 0, rejected: 0 };
    for (const record of batch.records) {
      const how = this.acked.get(record.id);
      if (how) outcome[how]++;
    }
    await outbox.acknowledge(batch, outcome);
    this.forget(batch.records);
    // A retired week's key lives only while records of that week are queued.
    if (this.options.weeks?.keepsRetired()) await this.options.weeks.retainOnly(await outbox.queuedPseudonyms());
    if (outcome.rejected === 0) {
      outbox.setDeliveryState({ lastError: null });
      this.lastFailure = undefined;
    }
    return undefined;
  }

  private forget(records: readonly OutboxRecord[]): void {
    for (const record of records) this.acked.delete(record.id);
  }

  /**
   * Sends every record of the batch not yet taken: one week (pseudonym) per request, signed by
   * that week's key, so no request links two weeks; in groups that fit the body limit.
   */
  private async sendBatch(batch: OutboxBatch): Promise<SendResult> {
    const todo = batch.records.filter((record) => !this.acked.has(record.id));
    const total: SendResult = { delivered: 0, rejected: 0 };
    for (const [pseudonym, records] of this.byWeek(todo)) {
      const signer = pseudonym === undefined || !this.options.weeks ? this.options.signer : this.options.weeks.signerFor(pseudonym);
      if (!signer) {
        // Never signed with another week's key: that would link the two weeks.
        this.fail('TELEMETRY_WEEK_KEY_GONE', `${records.length} ${batch.signal} records of a week whose signing key is gone: dropped`);
        this.markAcked(records, 'rejected');
        total.rejected += records.length;
        continue;
      }
      for (let start = 0; start < records.length; start += this.maxBatchRecords) {
        const result = await this.sendGroup(batch.signal, records.slice(start, start + this.maxBatchRecords), signer);
        total.delivered += result.delivered;
        total.rejected += result.rejected;
        if (result.retry) return { ...total, retry: result.retry };
      }
    }
    return total;
  }

  /** Records by the pseudonym they carry, in queue order of each week's first record. */
  private byWeek(records: OutboxRecord[]): Map<string | undefined, OutboxRecord[]> {
    const groups = new Map<string | undefined, OutboxRecord[]>();
    for (const record of records) {
      const pseudonym = pseudonymOf(record.payload);
      const group = groups.get(pseudonym);
      if (group) group.push(record);
      else groups.set(pseudonym, [record]);
    }
    return groups;
  }

  private async sendGroup(signal: 'logs' | 'metrics', records: OutboxRecord[], signer: RequestSigner): Promise<SendResult> {
    if (records.length === 0) return { delivered: 0, rejected: 0 };
    const json = JSON.stringify(this.encode(signal, records));
    if (Buffer.byteLength(json) > this.maxBodyBytes) {
      if (records.length === 1) {
        this.fail('TELEMETRY_RECORD_TOO_LARGE', `a ${signal} record of ${Buffer.byteLength(json)} bytes exceeds the body limit: dropped`);
        this.markAcked(records, 'rejected');
        return { delivered: 0, rejected: 1 };
      }
      return this.sendHalves(signal, records, signer);
    }
    const outcome = await this.post(`/v1/${signal}`, await gzipAsync(json), signal, signer);
    const decision = decideRetry(outcome, this.attempt, this.options.backoff ?? DEFAULT_BACKOFF, this.now().getTime(), this.options.random);
    switch (decision.action) {
      case 'done':
        this.markAcked(records, 'delivered');
        return { delivered: records.length, rejected: 0 };
      case 'done-partial': {
        const rejected = Math.min(decision.rejected, records.length);
        // Which ones were refused is not said; the counts are what the stats show.
        this.markAcked(records.slice(0, records.length - rejected), 'delivered');
        this.markAcked(records.slice(records.length - rejected), 'rejected');
        this.fail('TELEMETRY_PARTIALLY_REJECTED', `${rejected} of ${records.length} ${signal} records rejected: ${decision.reason}`);
        return { delivered: records.length - rejected, rejected };
      }
      case 'split':
        if (records.length === 1) {
          this.fail('TELEMETRY_RECORD_TOO_LARGE', `the receiver refused a single ${signal} record as too large (413): dropped`);
          this.markAcked(records, 'rejected');
          return { delivered: 0, rejected: 1 };
        }
        return this.sendHalves(signal, records, signer);
      case 'drop':
        this.fail('TELEMETRY_BATCH_REFUSED', `${records.length} ${signal} records dropped: ${decision.reason}`);
        this.markAcked(records, 'rejected');
        return { delivered: 0, rejected: records.length };
      case 'retry':
        return { delivered: 0, rejected: 0, retry: { delayMs: decision.delayMs, reason: decision.reason } };
    }
  }

  private async sendHalves(signal: 'logs' | 'metrics', records: OutboxRecord[], signer: RequestSigner): Promise<SendResult> {
    const middle = Math.ceil(records.length / 2);
    const first = await this.sendGroup(signal, records.slice(0, middle), signer);
    if (first.retry) return first;
    const second = await this.sendGroup(signal, records.slice(middle), signer);
    return {
      delivered: first.delivered + second.delivered,
      rejected: first.rejected + second.rejected,
      ...(second.retry ? { retry: second.retry } : {}),
    };
  }

  private markAcked(records: OutboxRecord[], how: 'delivered' | 'rejected'): void {
    for (const record of records) this.acked.set(record.id, how);
  }

  private encode(signal: 'logs' | 'metrics', records: OutboxRecord[]) {
    const resource = this.options.resource();
    if (signal === 'logs') {
      return encodeLogsRequest(
        resource,
        records.flatMap((r) => (r.payload.signal === 'logs' ? [{ uid: r.id, category: r.category, record: r.payload.record }] : [])),
      );
    }
    return encodeMetricsRequest(
      resource,
      records.flatMap((r) => (r.payload.signal === 'metrics' ? [{ uid: r.id, category: r.category, metric: r.payload.metric }] : [])),
    );
  }

  private post(path: string, body: Buffer, signal: 'logs' | 'metrics', signer: RequestSigner): Promise<ExportOutcome> {
    const url = new URL(this.base.pathname.replace(/\/+$/, '') + path, this.base);
    const controller = new AbortController();
    this.inflight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs ?? 30_000);
    return new Promise<ExportOutcome>((resolve) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          signal: controller.signal,
          headers: {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
            'content-length': body.length,
            ...signatureHeaders(signer, 'POST', url.pathname, body, this.now()),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= 64 * 1024) chunks.push(chunk);
          });
          res.on('error', (error) => resolve({ kind: 'network', error: String(error) }));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            if (status >= 200 && status < 300) {
              const parsed = parseExportResponse(text, signal);
              resolve(
                parsed
                  ? { kind: 'accepted', rejected: parsed.rejected, ...(parsed.errorMessage ? { errorMessage: parsed.errorMessage } : {}) }
                  : { kind: 'bad-response', status, detail: text.slice(0, 100) },
              );
            } else {
              const retryAfter = res.headers['retry-after'];
              resolve({
                kind: 'http',
                status,
                retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : (retryAfter ?? null),
                body: text.slice(0, 500),
              });
            }
          });
        },
      );
      req.on('error', (error) => resolve({ kind: 'network', error: controller.signal.aborted ? 'timed out' : String(error) }));
      req.end(body);
    }).finally(() => {
      clearTimeout(timer);
      this.inflight.delete(controller);
    });
  }

  private fail(code: string, message: string): void {
    // Once per kind of failure in a row: a receiver down for hours is one line, not one per retry.
    if (code !== this.lastFailure) this.options.log?.warn(`telemetry: ${message}`);
    this.lastFailure = code;
    this.options.outbox.setDeliveryState({ lastError: { code, message, at: this.now().toISOString() } });
  }

  /** Waits `ms`; stop() ends any wait, new records only an idle one (never a backoff). */
  private sleep(ms: number, wakeOnRecords = false): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.wakeStop = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeStop = done;
      if (wakeOnRecords) this.wake = done;
    });
  }
}
