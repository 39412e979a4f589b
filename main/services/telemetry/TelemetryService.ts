import type { BootStatus, HealthSnapshot, PrivacyStatus, StateSource } from '../../../src/api/contract.js';
import type { StateChannel } from '../../../src/api/stateChannel.js';
import type { LogRecord } from '../../../src/logging/logRecord.js';
import type { SecretRedactor } from '../../../src/secrets/SecretRegistry.js';
import type { KnownTrack } from '../../../src/telemetry/anonymize.js';
import type { TelemetryCategoryId } from '../../../src/telemetry/categories.js';
import type { ConsentDecision } from '../../../src/telemetry/consent.js';
import type { MetricAttributes, MetricName, MetricValue } from '../../../src/telemetry/registry.js';
import { BootMetrics } from './BootMetrics.js';
import { ConsentChanges, owesSomething } from './ConsentChanges.js';
import type { ConsentStore } from './ConsentStore.js';
import { CrashForwarding, type CrashSource } from './CrashForwarding.js';
import { CurrentConsent } from './CurrentConsent.js';
import type { DeviceIdHasher } from './DeviceIdHasher.js';
import { ErrorLogForwarder } from './ErrorLogForwarder.js';
import { HealthMetrics } from './HealthMetrics.js';
import { LocationMetrics, type LatestFix } from './LocationMetrics.js';
import { MetricRecorder } from './MetricRecorder.js';
import { MinidumpForwarding, type MinidumpSource } from './MinidumpForwarding.js';
import { OutgoingScrubber } from './OutgoingScrubber.js';
import type { TelemetryOutbox } from './ports.js';
import { UpdateMetrics, type UpdateSource } from './UpdateMetrics.js';

export { DELETION_REQUEST_EVENT } from './ConsentChanges.js';
export type { CrashSource } from './CrashForwarding.js';
export { PSEUDONYM_KEY } from './MetricRecorder.js';
export type { MinidumpSource } from './MinidumpForwarding.js';

export interface TelemetryServiceOptions {
  outbox: TelemetryOutbox;
  consent: ConsentStore;
  hasher: DeviceIdHasher;
  /** Where the service keeps its cursor over the update history. */
  stateDir: string;
  appVersion: string;
  health?: StateSource<HealthSnapshot>;
  boot?: StateSource<BootStatus>;
  updates?: UpdateSource;
  crashes?: CrashSource;
  /** Electron's minidumps: forwarded when `errors` is granted, otherwise kept bounded and left to expire. */
  minidumps?: MinidumpSource;
  /** The GPS's latest precise fix: coarsened here before it is recorded. */
  latestFix?: LatestFix;
  knownTracks?: readonly KnownTrack[];
  /** Performance, hardware and location are recorded at most this often (default 15 minutes). */
  sampleEveryMs?: number;
  /** Records past their retention are purged from the outbox at start and at most this often (default 1 hour). */
  purgeEveryMs?: number;
  now?: () => Date;
  /** Problems of the telemetry itself; never routed back into the forwarded log. */
  warn?: (msg: string, fields?: Record<string, unknown>) => void;
  /**
   * The secrets the headset holds: cut out by value from what is forwarded, before the scrubbing.
   * Log entries and crash records were redacted when written; a value registered since is not.
   */
  secrets?: SecretRedactor;
}

/**
 * Telemetry: records the registry's metrics from the services, only for the categories the wearer
 * granted, anonymized before anything is enqueued. Consent changes take effect at once: a category
 * turned off stops recording, its queued records are purged and a deletion request is sent.
 *
 * This class composes the pieces (one per source, the consent, the log forwarding) and runs their
 * passes one at a time, so a consent change never interleaves with a recording.
 */
export class TelemetryService {
  readonly status: StateChannel<PrivacyStatus>;
  private readonly now: () => Date;
  private readonly consent = new CurrentConsent();
  private readonly recorder: MetricRecorder;
  private readonly consentChanges: ConsentChanges;
  private readonly errorLog: ErrorLogForwarder;
  private readonly healthMetrics: HealthMetrics;
  private readonly bootMetrics: BootMetrics;
  private readonly updateMetrics: UpdateMetrics | undefined;
  private readonly locationMetrics: LocationMetrics | undefined;
  private readonly crashForwarding: CrashForwarding | undefined;
  private readonly minidumpForwarding: MinidumpForwarding | undefined;
  private readonly unsubscribers: (() => void)[] = [];
  private lastPurgeAt = -Infinity;
  private work: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TelemetryServiceOptions) {
    const now = options.now ?? (() => new Date());
    const { outbox, hasher, appVersion, warn } = options;
    const { consent } = this;
    this.now = now;
    this.status = consent.status;
    const recorder = new MetricRecorder({ outbox, consent, hasher, appVersion, now, warn });
    const scrubber = new OutgoingScrubber(options.secrets);
    this.recorder = recorder;
    this.errorLog = new ErrorLogForwarder(consent, recorder, scrubber);
    this.consentChanges = new ConsentChanges({
      store: options.consent,
      current: consent,
      outbox,
      hasher,
      recorder,
      errorCounts: this.errorLog,
      now,
      warn,
    });
    this.healthMetrics = new HealthMetrics(recorder, options.sampleEveryMs ?? 15 * 60_000);
    this.bootMetrics = new BootMetrics(recorder);
    this.updateMetrics = options.updates && new UpdateMetrics(options.updates, options.stateDir, recorder);
    this.locationMetrics = options.latestFix && new LocationMetrics(options.latestFix, recorder, consent, options.knownTracks);
    this.crashForwarding = options.crashes && new CrashForwarding(options.crashes, recorder, consent, scrubber, now);
    this.minidumpForwarding = options.minidumps && new MinidumpForwarding(options.minidumps, recorder, consent, { appVersion, now, warn });
  }

  /** Records the outbox refused (a full disk): counted, never logged through the forwarded log. */
  get enqueueFailures(): number {
    return this.recorder.enqueueFailures;
  }

  async start(): Promise<void> {
    const pending = await this.consentChanges.load();
    // A withdrawal cut short by a power cut is finished before anything else is recorded.
    if (owesSomething(pending)) await this.serialize(() => this.consentChanges.withdraw(pending));
    // What waited past its retention while the headset was off goes before anything is sent.
    await this.serialize(() => this.purgeExpired());
    const { health, boot, updates } = this.options;
    if (health) this.unsubscribers.push(health.subscribe((snapshot) => this.serialize(() => this.onHealth(snapshot))));
    if (boot) {
      const onBoot = (status: BootStatus) => this.serialize(() => this.bootMetrics.onBoot(status));
      const current = boot.current();
      if (current) void onBoot(current);
      this.unsubscribers.push(boot.subscribe(onBoot));
    }
    if (updates) {
      const onUpdates = () => this.serialize(async () => this.updateMetrics?.recordHistory());
      void onUpdates();
      this.unsubscribers.push(updates.status.subscribe(onUpdates));
    }
    await this.forwardCrashes();
  }

  stop(): Promise<unknown> {
    for (const off of this.unsubscribers.splice(0)) off();
    return this.idle();
  }

  /** Resolves once the recordings started so far are enqueued. */
  idle(): Promise<unknown> {
    return this.work;
  }

  privacy(): PrivacyStatus {
    return this.consent.privacy();
  }

  isGranted(category: TelemetryCategoryId): boolean {
    return this.consent.isGranted(category);
  }

  /** The wearer's decision: persisted first, then collection follows it. */
  async setConsent(decision: ConsentDecision): Promise<PrivacyStatus> {
    return this.serialize(() => this.consentChanges.decide(decision)) as Promise<PrivacyStatus>;
  }

  /**
   * Records a declared metric. An undeclared name or a value outside its schema throws (a bug);
   * a category not granted, or an expired metric, records nothing and returns false.
   */
  async record<N extends MetricName>(name: N, value: MetricValue<N>, attributes: MetricAttributes<N>, at: Date = this.now()): Promise<boolean> {
    return this.recorder.record(name, value, attributes, at);
  }

  /**
   * A log entry of any process: warn, error and fatal are counted and, when `errors` is granted,
   * forwarded scrubbed (fatal as critical). Debug and info never leave the device.
   */
  forwardLog(record: LogRecord): void {
    this.errorLog.forwardLog(record);
  }

  /** Hands pending crash records and minidumps to the outbox (critical, scrubbed) when `errors` is granted. */
  forwardCrashes(): Promise<number> {
    // Serialized with the other passes: two concurrent passes would both send the same crash.
    return this.serialize(async () => (await this.forwardPendingCrashes()) + (await this.forwardPendingMinidumps()));
  }

  private async forwardPendingCrashes(): Promise<number> {
    return (await this.crashForwarding?.forwardPending()) ?? 0;
  }

  private async forwardPendingMinidumps(): Promise<number> {
    return (await this.minidumpForwarding?.forwardPending()) ?? 0;
  }

  /** Each health snapshot also drives the periodic passes: crashes, the retention purge, the error counts. */
  private async onHealth(snapshot: HealthSnapshot): Promise<void> {
    if (!this.healthMetrics.isMeaningful()) return;
    await this.healthMetrics.recordTimeToLock(snapshot);
    await this.forwardPendingCrashes();
    await this.forwardPendingMinidumps();
    const nowMs = this.now().getTime();
    if (nowMs - this.lastPurgeAt >= (this.options.purgeEveryMs ?? 3_600_000)) await this.purgeExpired();
    if (!this.healthMetrics.takesSampleAt(nowMs)) return;
    await this.healthMetrics.recordSample(snapshot);
    await this.locationMetrics?.recordLatest();
    await this.errorLog.reportCounts();
  }

  /** Records past their registry retention leave the outbox (they would never be sent anyway). */
  private async purgeExpired(): Promise<void> {
    this.lastPurgeAt = this.now().getTime();
    // A failed purge is retried on the next pass; the forwarder skips expired records meanwhile.
    const purged = await this.options.outbox.purgeExpired().catch((error: unknown) => {
      this.options.warn?.('telemetry: could not purge expired records from the outbox', { error: String(error) });
      return 0;
    });
    if (purged > 0) this.options.warn?.('telemetry: records past their retention purged from the outbox', { purged });
  }

  /** One recording pass at a time, so a consent change never interleaves with one. */
  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.work.then(task, task);
    this.work = run.catch((error: unknown) => this.options.warn?.('telemetry: a recording pass failed', { error: String(error) }));
    return run;
  }
}
