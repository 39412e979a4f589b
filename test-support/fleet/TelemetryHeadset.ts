import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CrashRecorder } from '../../main/services/logging/CrashRecorder.js';
import { ConsentStore } from '../../main/services/telemetry/ConsentStore.js';
import { DeviceIdHasher } from '../../main/services/telemetry/DeviceIdHasher.js';
import { OtlpForwarder } from '../../main/services/telemetry/OtlpForwarder.js';
import { Outbox, type OutboxBatch } from '../../main/services/telemetry/Outbox.js';
import { hasherWeekSigners, periodRequestSigner, signatureHeaders, type RequestSigner } from '../../main/services/telemetry/RequestSigner.js';
import { TelemetryService } from '../../main/services/telemetry/TelemetryService.js';
import type { TelemetryCategoryId } from '../../src/telemetry/categories.js';
import { PRIVACY_POLICY_VERSION } from '../../src/telemetry/consent.js';
import { encodeLogsRequest, encodeMetricsRequest, type OtlpResourceInfo } from '../../src/telemetry/otlpEncode.js';
import { SwitchableNetwork } from '../telemetry/fixtures.js';

/** One export as the headset's forwarder sends it: the gzip body and its signed headers. */
export interface SignedExport {
  signal: 'logs' | 'metrics';
  path: '/v1/logs' | '/v1/metrics';
  /** The JSON before gzip (what the encoder made). */
  json: string;
  body: Buffer;
  headers: Record<string, string>;
  uids: string[];
}

/** headsetd's resource: no device id, the pseudonym is in each record. */
const RESOURCE: OtlpResourceInfo = { serviceName: 'headsetd', serviceVersion: '1.4.2', deviceId: null };

/**
 * The headset's telemetry as the fleet server meets it, made of the headset's own pieces: the
 * TelemetryService (consent, the weekly pseudonym, recording, crash forwarding, deletion requests),
 * the durable Outbox, the week's telemetry signer and the OtlpForwarder. `exports()` encodes and
 * signs what is queued exactly as the forwarder does (for tests that send them by hand, tampered);
 * `forwardTo()` runs the real forwarder against a server over HTTPS.
 */
export class TelemetryHeadset {
  readonly network = new SwitchableNetwork();

  private constructor(
    readonly dir: string,
    readonly service: TelemetryService,
    readonly outbox: Outbox,
    readonly hasher: DeviceIdHasher,
    readonly crashes: CrashRecorder,
    readonly signer: RequestSigner,
    private readonly now: () => Date,
  ) {}

  static async create(dir: string, now: () => Date = () => new Date()): Promise<TelemetryHeadset> {
    mkdirSync(dir, { recursive: true });
    const outbox = await Outbox.open({ dir: join(dir, 'outbox'), limitBytes: 4 << 20, now });
    const deviceId = crypto.randomUUID();
    const hasher = new DeviceIdHasher(dir, () => deviceId, now);
    const crashes = new CrashRecorder(
      join(dir, 'crashes'),
      { version: RESOURCE.serviceVersion, commit: 'c0ffee', bootId: () => 'boot-1', recentLines: () => [], lastHealth: () => undefined },
      { now },
    );
    const service = new TelemetryService({
      outbox,
      consent: new ConsentStore(dir),
      hasher,
      stateDir: dir,
      appVersion: RESOURCE.serviceVersion,
      crashes,
      now,
    });
    await service.start();
    return new TelemetryHeadset(
      dir,
      service,
      outbox,
      hasher,
      crashes,
      periodRequestSigner(() => hasher.signingSeed()),
      now,
    );
  }

  /** The wearer's consent: these optional categories on, the others off. */
  consent(granted: Partial<Record<TelemetryCategoryId, boolean>>): Promise<unknown> {
    return this.service.setConsent({ policyVersion: PRIVACY_POLICY_VERSION, granted });
  }

  /** This week's pseudonym (what every record carries). */
  pseudonym(): string {
    return this.hasher.current();
  }

  /** This week's telemetry public key (what every export is signed with). */
  publicKey(): string {
    return this.signer.publicKey();
  }

  /** Some of everything the granted categories record: usage events, gauges, a counter. */
  async recordActivity(screens = ['home', 'updates', 'logs']): Promise<void> {
    for (const screen of screens) await this.service.record('ui.screen_view', null, { screen });
    await this.service.record('system.cpu_load', 42.5, {});
    await this.service.record('hardware.battery_charge', 81, { charging: false });
    await this.service.record('errors.count', 3, { subsystem: 'network', level: 'warn' });
  }

  /** A crash of `process`, forwarded to the outbox as headsetd does. */
  async crash(message: string, process: 'headsetd' | 'renderer' | 'electron-main' = 'headsetd'): Promise<void> {
    this.crashes.recordSync({
      process,
      error: { name: 'TypeError', message, stack: `TypeError: ${message}\n    at update (/usr/lib/headset-control/headsetd.mjs:1:1)` },
    });
    await this.service.forwardCrashes();
  }

  /** What is queued, as the signed exports the forwarder would send now (the outbox keeps it all). */
  async exports(): Promise<SignedExport[]> {
    const batches: OutboxBatch[] = [];
    for (;;) {
      const batch = await this.outbox.takeBatch({ allowBulk: true, maxBytes: 4 << 20, maxRecords: 512 });
      if (!batch) break;
      batches.push(batch);
    }
    for (const batch of batches) this.outbox.release(batch);
    return batches.map((batch) => this.sign(batch));
  }

  /** One export signed at `at` (default now), as OtlpForwarder.sendGroup encodes, gzips and signs it. */
  sign(batch: OutboxBatch, at: Date = this.now()): SignedExport {
    const body =
      batch.signal === 'logs'
        ? encodeLogsRequest(
            RESOURCE,
            batch.records.flatMap((r) => (r.payload.signal === 'logs' ? [{ uid: r.id, category: r.category, record: r.payload.record }] : [])),
          )
        : encodeMetricsRequest(
            RESOURCE,
            batch.records.flatMap((r) => (r.payload.signal === 'metrics' ? [{ uid: r.id, category: r.category, metric: r.payload.metric }] : [])),
          );
    const json = JSON.stringify(body);
    const gzip = gzipSync(json);
    const path = batch.signal === 'logs' ? '/v1/logs' : '/v1/metrics';
    return {
      signal: batch.signal,
      path,
      json,
      body: gzip,
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        ...signatureHeaders(this.signer, 'POST', path, gzip, at),
      },
      uids: batch.records.map((r) => r.id),
    };
  }

  /** Any JSON gzipped and signed with this headset's key, as if it were an export (for forgeries and malformed bodies). */
  signJson(path: '/v1/logs' | '/v1/metrics', json: string, at: Date = this.now()): SignedExport {
    const gzip = gzipSync(json);
    return {
      signal: path === '/v1/logs' ? 'logs' : 'metrics',
      path,
      json,
      body: gzip,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', ...signatureHeaders(this.signer, 'POST', path, gzip, at) },
      uids: [],
    };
  }

  /** Any bytes sent as a gzip export, signed with this headset's key (a corrupt gzip, well signed). */
  signBytes(path: '/v1/logs' | '/v1/metrics', body: Buffer, at: Date = this.now()): SignedExport {
    return {
      signal: path === '/v1/logs' ? 'logs' : 'metrics',
      path,
      json: '',
      body,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', ...signatureHeaders(this.signer, 'POST', path, body, at) },
      uids: [],
    };
  }

  /** The headset's real forwarder, sending the outbox to `url` (HTTPS, trusting `ca`). Stop it when done. */
  forwardTo(url: string, ca: string): OtlpForwarder {
    const forwarder = new OtlpForwarder({
      outbox: this.outbox,
      endpoint: { url, ca },
      signer: this.signer,
      // As headsetd wires it: each record signed by the key of the week it was recorded in.
      weeks: hasherWeekSigners(this.hasher),
      network: this.network,
      resource: () => RESOURCE,
      timeoutMs: 20_000,
      backoff: { baseMs: 10, maxMs: 200, maxRetryAfterMs: 2000 },
      networkPollMs: 20,
      idleMs: 100,
      now: this.now,
    });
    forwarder.start();
    return forwarder;
  }

  /** Records still queued (not yet acknowledged by a receiver). */
  queued(): number {
    return Object.values(this.outbox.stats().queued).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await this.service.stop();
    await this.outbox.close();
  }
}
