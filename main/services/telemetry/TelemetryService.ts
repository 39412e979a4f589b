import { join } from 'node:path';
import type { BootStatus, HealthSnapshot, PrivacyStatus, StateSource, UpdateHistoryEntry, UpdateStatus } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import type { LogRecord } from '../../../src/logging/logRecord.js';
import { redactSecretsIn } from '../../../src/secrets/redactSecretsIn.js';
import type { SecretRedactor } from '../../../src/secrets/SecretRegistry.js';
import { bucketToHour, coarsenLocation, scrubFields, scrubText, scrubValue, type KnownTrack } from '../../../src/telemetry/anonymize.js';
import type { TelemetryCategoryId } from '../../../src/telemetry/categories.js';
import { decide, effectiveGrants, privacyStatusOf, type ConsentDecision, type ConsentState } from '../../../src/telemetry/consent.js';
import { isoToUnixNano, logRecordToOtlp, SEVERITY, toAnyValue } from '../../../src/telemetry/otlpEncode.js';
import type { OtlpKeyValue, OtlpLogRecord } from '../../../src/telemetry/otlpJson.js';
import { checkRecording, isExpired, METRICS, type MetricAttributes, type MetricName, type MetricValue } from '../../../src/telemetry/registry.js';
import type { CrashRecord } from '../logging/CrashRecorder.js';
import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { ConsentStore, PendingWithdrawal } from './ConsentStore.js';
import type { DeviceIdHasher } from './DeviceIdHasher.js';
import type { Minidump, MinidumpContent } from './MinidumpFolder.js';
import type { OutboxPayload, OutboxPriority, TelemetryOutbox } from './ports.js';

/** The attribute every record carries instead of the device id (see DeviceIdHasher). */
export const PSEUDONYM_KEY = 'headset.device.pseudonym';
export const DELETION_REQUEST_EVENT = 'telemetry.deletion_request';

/** Crash records as the telemetry service reads them (CrashRecorder). */
export interface CrashSource {
  pending(): Promise<string[]>;
  read(id: string): Promise<CrashRecord>;
  markForwarded(id: string): void;
}

/** Electron's native crash dumps as the telemetry service reads them (MinidumpFolder). */
export interface MinidumpSource {
  /** What waits, oldest first; also keeps the folder within its bounds (count, retention). */
  pending(): Promise<Minidump[]>;
  read(dump: Minidump): Promise<MinidumpContent>;
  remove(dump: Minidump): Promise<void>;
}

export interface TelemetryServiceOptions {
  outbox: TelemetryOutbox;
  consent: ConsentStore;
  hasher: DeviceIdHasher;
  /** Where the service keeps its cursor over the update history. */
  stateDir: string;
  appVersion: string;
  health?: StateSource<HealthSnapshot>;
  boot?: StateSource<BootStatus>;
  updates?: { status: StateSource<UpdateStatus>; history(): Promise<UpdateHistoryEntry[]> };
  crashes?: CrashSource;
  /** Electron's minidumps: forwarded when `errors` is granted, otherwise kept bounded and left to expire. */
  minidumps?: MinidumpSource;
  /** The GPS's latest precise fix: coarsened here before it is recorded. */
  latestFix?: () => { position: { lat: number; lon: number }; at: number } | null;
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

const PRIORITY: Record<TelemetryCategoryId, OutboxPriority> = {
  essential: 'normal',
  performance: 'bulk',
  hardware: 'bulk',
  usage: 'bulk',
  errors: 'normal',
  location: 'bulk',
};
const DAY_MS = 86_400_000;
const CRASH_RETENTION_MS = METRICS['crash.record'].retentionDays * DAY_MS;
const RECENT_LINES_FORWARDED = 50;

/**
 * Telemetry: records the registry's metrics from the services, only for the categories the wearer
 * granted, anonymized before anything is enqueued. Consent changes take effect at once: a category
 * turned off stops recording, its queued records are purged and a deletion request is sent.
 */
export class TelemetryService {
  readonly status = new StateChannel<PrivacyStatus>();
  private consent: ConsentState | undefined;
  private grants: Record<TelemetryCategoryId, boolean> | undefined;
  private readonly unsubscribers: (() => void)[] = [];
  private readonly now: () => Date;
  private lastSampleAt = -Infinity;
  private lastPurgeAt = -Infinity;
  private snapshotsSeen = 0;
  private lastTimeToLockMs: number | null = null;
  private lastBootId: string | undefined;
  /** warn/error/fatal counts per subsystem since the last report (errors.count). */
  private errorCounts = new Map<string, { subsystem: string; level: 'warn' | 'error' | 'fatal'; count: number }>();
  private work: Promise<unknown> = Promise.resolve();
  /** Records the outbox refused (a full disk): counted, never logged through the forwarded log. */
  enqueueFailures = 0;

  constructor(private readonly options: TelemetryServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async start(): Promise<void> {
    const { state, pending, unreadable } = await this.options.consent.load();
    if (unreadable) this.options.warn?.('privacy: the stored consent was unreadable; asking again');
    await this.options.hasher.load();
    this.applyConsent(state);
    // A withdrawal cut short by a power cut is finished before anything else is recorded.
    if (pending.categories.length > 0 || pending.resetPseudonym) await this.serialize(() => this.withdraw(pending));
    // What waited past its retention while the headset was off goes before anything is sent.
    await this.serialize(() => this.purgeExpired());
    const { health, boot, updates } = this.options;
    if (health) this.unsubscribers.push(health.subscribe((snapshot) => this.serialize(() => this.onHealth(snapshot))));
    if (boot) {
      const onBoot = (status: BootStatus) => this.serialize(() => this.onBoot(status));
      const current = boot.current();
      if (current) void onBoot(current);
      this.unsubscribers.push(boot.subscribe(onBoot));
    }
    if (updates) {
      const onUpdates = () => this.serialize(() => this.recordUpdateHistory());
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
    return privacyStatusOf(this.requireConsent());
  }

  isGranted(category: TelemetryCategoryId): boolean {
    return this.grants?.[category] ?? false;
  }

  /** The wearer's decision: persisted first, then collection follows it. */
  async setConsent(decision: ConsentDecision): Promise<PrivacyStatus> {
    return this.serialize(async () => {
      const transition = decide(this.requireConsent(), decision, this.now());
      const pending: PendingWithdrawal = { categories: transition.turnedOff, resetPseudonym: transition.optedOutOfAll };
      // The decision and what it still owes, in one atomic write (see PendingWithdrawal).
      await this.options.consent.save(transition.state, pending);
      this.applyConsent(transition.state); // stops collection of what was turned off, now
      if (pending.categories.length > 0 || pending.resetPseudonym) await this.withdraw(pending);
      return this.privacy();
    }) as Promise<PrivacyStatus>;
  }

  /** Purges, requests deletion, replaces the key; then records that nothing is owed any more. */
  private async withdraw(pending: PendingWithdrawal): Promise<void> {
    for (const category of pending.categories) {
      if (category === 'errors') this.errorCounts.clear();
      await this.options.outbox.purgeCategory(category);
      await this.options.outbox.enqueue('essential', 'critical', { signal: 'logs', record: this.deletionRequest(category) });
    }
    // After the deletion requests, which must carry the pseudonym the receiver knows.
    if (pending.resetPseudonym) await this.options.hasher.reset();
    await this.options.consent.save(this.requireConsent());
  }

  /**
   * Records a declared metric. An undeclared name or a value outside its schema throws (a bug);
   * a category not granted, or an expired metric, records nothing and returns false.
   */
  async record<N extends MetricName>(name: N, value: MetricValue<N>, attributes: MetricAttributes<N>, at: Date = this.now()): Promise<boolean> {
    const checked = checkRecording(name, value, attributes);
    const category = checked.definition.category;
    if (!this.isGranted(category) || isExpired(checked.definition, this.options.appVersion, at)) return false;
    // Usage and location say when to the hour, no closer.
    const time = category === 'usage' || category === 'location' ? bucketToHour(at) : at;
    const timeUnixNano = isoToUnixNano(time.toISOString());
    const attrs: OtlpKeyValue[] = [
      ...Object.entries(scrubFields(checked.attributes)).map(([key, v]) => ({ key, value: toAnyValue(v) })),
      this.pseudonym(),
    ];
    let payload: OutboxPayload;
    if (checked.definition.kind === 'event') {
      payload = {
        signal: 'logs',
        record: {
          timeUnixNano,
          severityNumber: SEVERITY.info.number,
          severityText: SEVERITY.info.text,
          body: { stringValue: name },
          attributes: attrs,
          eventName: name,
        },
      };
    } else {
      const point = {
        attributes: attrs,
        timeUnixNano,
        ...(Number.isInteger(checked.value) && checked.definition.kind === 'counter'
          ? { asInt: String(checked.value) }
          : { asDouble: checked.value ?? 0 }),
      };
      const base = { name, description: checked.definition.description, unit: checked.definition.unit };
      payload =
        checked.definition.kind === 'gauge'
          ? { signal: 'metrics', metric: { ...base, gauge: { dataPoints: [point] } } }
          : { signal: 'metrics', metric: { ...base, sum: { dataPoints: [point], aggregationTemporality: 1, isMonotonic: true } } };
    }
    return this.enqueue(category, PRIORITY[category], payload, expiry(name, at));
  }

  /**
   * A log entry of any process: warn, error and fatal are counted and, when `errors` is granted,
   * forwarded scrubbed (fatal as critical). Debug and info never leave the device.
   */
  forwardLog(record: LogRecord): void {
    if (record.level !== 'warn' && record.level !== 'error' && record.level !== 'fatal') return;
    if (!this.isGranted('errors')) return;
    const key = `${record.subsystem}\n${record.level}`;
    const counted = this.errorCounts.get(key) ?? { subsystem: record.subsystem, level: record.level, count: 0 };
    counted.count++;
    this.errorCounts.set(key, counted);
    const scrubbed: LogRecord = {
      ...record,
      msg: this.scrub(record.msg),
      ...(record.fields ? { fields: scrubFields(this.unsecret(record.fields) as Record<string, unknown>) } : {}),
    };
    const otlp: OtlpLogRecord = logRecordToOtlp(scrubbed);
    otlp.eventName = 'log.record';
    otlp.attributes.push(this.pseudonym());
    void this.enqueue(
      'errors',
      record.level === 'fatal' ? 'critical' : 'normal',
      { signal: 'logs', record: otlp },
      expiry('log.record', new Date(record.time)),
    );
  }

  /** Hands pending crash records to the outbox (critical, scrubbed) when `errors` is granted. */
  forwardCrashes(): Promise<number> {
    // Serialized with the other passes: two concurrent passes would both send the same crash.
    return this.serialize(async () => (await this.forwardPendingCrashes()) + (await this.forwardPendingMinidumps()));
  }

  /**
   * Each waiting minidump as one critical `crash.minidump` record, then deleted (enqueue first:
   * a cut in between sends it twice, never loses it). Not granted: the folder is only kept bounded.
   */
  private async forwardPendingMinidumps(): Promise<number> {
    const minidumps = this.options.minidumps;
    if (!minidumps) return 0;
    const dumps = await minidumps.pending().catch((error: unknown) => {
      this.options.warn?.('telemetry: could not list the crash dumps', { error: String(error) });
      return [];
    });
    if (!this.isGranted('errors') || isExpired(METRICS['crash.minidump'], this.options.appVersion, this.now())) return 0;
    let forwarded = 0;
    for (const dump of dumps) {
      const content = await minidumps.read(dump).catch(() => undefined);
      if (!content) continue; // gone meanwhile, or unreadable: tried again on the next pass
      const created = bucketToHour(dump.createdAt);
      const { attributes } = checkRecording('crash.minidump', null, {
        process: 'electron',
        size_bytes: dump.sizeBytes,
        sha256: content.sha256,
        created: created.toISOString(),
        dump_included: content.bytes !== undefined,
      });
      const record: OtlpLogRecord = {
        timeUnixNano: isoToUnixNano(created.toISOString()),
        severityNumber: SEVERITY.fatal.number,
        severityText: SEVERITY.fatal.text,
        body: { stringValue: content.bytes ? content.bytes.toString('base64') : 'crash dump kept on the headset: only its size and hash are sent' },
        eventName: 'crash.minidump',
        attributes: [
          ...Object.entries(attributes).map(([key, value]) => ({ key, value: toAnyValue(value) })),
          ...(content.bytes ? [{ key: 'minidump.encoding', value: { stringValue: 'base64' } }] : []),
          this.pseudonym(),
        ],
      };
      if (!(await this.enqueue('errors', 'critical', { signal: 'logs', record }, expiry('crash.minidump', dump.createdAt)))) break;
      await this.record('errors.crash_count', 1, { process: 'electron' }, created);
      await minidumps
        .remove(dump)
        .catch((error: unknown) => this.options.warn?.('telemetry: could not remove a forwarded crash dump', { error: String(error) }));
      forwarded++;
    }
    return forwarded;
  }

  private async forwardPendingCrashes(): Promise<number> {
    const crashes = this.options.crashes;
    if (!crashes || !this.isGranted('errors')) return 0;
    let forwarded = 0;
    for (const id of await crashes.pending()) {
      const crash = await crashes.read(id).catch(() => undefined);
      if (!crash) continue;
      const age = this.now().getTime() - Date.parse(crash.time);
      // Past its retention a crash is not sent: marked as handled so it is never retried.
      if (age <= CRASH_RETENTION_MS) {
        const record: OtlpLogRecord = {
          timeUnixNano: isoToUnixNano(crash.time),
          severityNumber: SEVERITY.fatal.number,
          severityText: SEVERITY.fatal.text,
          body: { stringValue: this.scrub(`${crash.error.name}: ${crash.error.message}`) },
          eventName: 'crash.record',
          attributes: [
            { key: 'process', value: { stringValue: crash.process } },
            { key: 'headset.app.version', value: { stringValue: crash.version } },
            { key: 'exception.stacktrace', value: { stringValue: this.scrub(crash.error.stack ?? '') } },
            { key: 'headset.crash.recent_lines', value: toAnyValue(scrubValue(this.unsecret(crash.recentLines.slice(-RECENT_LINES_FORWARDED)))) },
            this.pseudonym(),
          ],
        };
        if (!(await this.enqueue('errors', 'critical', { signal: 'logs', record }, expiry('crash.record', new Date(crash.time))))) break;
        await this.record('errors.crash_count', 1, { process: crash.process }, new Date(crash.time));
        forwarded++;
      }
      crashes.markForwarded(id);
    }
    return forwarded;
  }

  // ---- sources ------------------------------------------------------------------------------

  private async onHealth(snapshot: HealthSnapshot): Promise<void> {
    // systeminformation's first load reading is meaningless: skip the first snapshot.
    if (++this.snapshotsSeen === 1) return;
    const at = new Date(snapshot.takenAt);
    const gpsLock = snapshot.gps?.timeToLockMs ?? null;
    if (gpsLock !== null && gpsLock !== this.lastTimeToLockMs) {
      this.lastTimeToLockMs = gpsLock;
      await this.record('gps.time_to_lock', Math.min(3600, gpsLock / 1000), {}, at);
    }
    await this.forwardPendingCrashes();
    await this.forwardPendingMinidumps();
    const nowMs = this.now().getTime();
    if (nowMs - this.lastPurgeAt >= (this.options.purgeEveryMs ?? 3_600_000)) await this.purgeExpired();
    if (nowMs - this.lastSampleAt < (this.options.sampleEveryMs ?? 15 * 60_000)) return;
    this.lastSampleAt = nowMs;
    await this.record('system.cpu_load', snapshot.cpuLoadPercent, {}, at);
    if (snapshot.memory.totalBytes > 0) await this.record('system.memory_used', snapshot.memory.usedBytes / snapshot.memory.totalBytes, {}, at);
    if (snapshot.disk.totalBytes > 0) await this.record('system.disk_used', snapshot.disk.usedBytes / snapshot.disk.totalBytes, {}, at);
    // ARM sensors report -1 when they have no reading.
    if (snapshot.temperatureC !== null && snapshot.temperatureC > -40) await this.record('hardware.temperature', snapshot.temperatureC, {}, at);
    if (snapshot.battery) await this.record('hardware.battery_charge', snapshot.battery.percent, { charging: snapshot.battery.charging }, at);
    const fix = this.options.latestFix?.();
    if (fix && this.isGranted('location'))
      await this.record(
        'location.coarse',
        null,
        coarsenLocation({ latitude: fix.position.lat, longitude: fix.position.lon }, this.options.knownTracks),
        new Date(fix.at),
      );
    await this.flushErrorCounts();
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

  private async flushErrorCounts(): Promise<void> {
    const counts = [...this.errorCounts.values()];
    this.errorCounts.clear();
    for (const { subsystem, level, count } of counts) await this.record('errors.count', count, { subsystem, level });
  }

  private async onBoot(status: BootStatus): Promise<void> {
    if (status.bootId === this.lastBootId) return;
    this.lastBootId = status.bootId;
    const version = status.slots.find((slot) => slot.name === status.activeSlot)?.version;
    if (version) await this.record('system.installed_version', null, { version, slot: status.activeSlot });
  }

  /** Each finished update once: the cursor (finish time) is kept on disk. */
  private async recordUpdateHistory(): Promise<void> {
    const updates = this.options.updates;
    if (!updates) return;
    const cursorFile = join(this.options.stateDir, 'telemetry-update-cursor.json');
    const cursor = (await readJsonIfExists<{ finishedAt: string }>(cursorFile).catch(() => undefined))?.finishedAt ?? '';
    const entries = (await updates.history()).filter((e) => e.finishedAt > cursor).sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
    for (const entry of entries) {
      await this.record(
        'update.outcome',
        null,
        { version: entry.version, from_version: entry.fromVersion, outcome: entry.outcome },
        new Date(entry.finishedAt),
      );
      if (entry.outcome === 'rolled-back' || entry.outcome === 'manual-rollback') {
        const automatic = entry.outcome === 'rolled-back';
        await this.record(
          'update.rollbacks',
          1,
          {
            from_version: automatic ? entry.version : entry.fromVersion,
            to_version: automatic ? entry.fromVersion : entry.version,
            trigger: automatic ? 'automatic' : 'manual',
          },
          new Date(entry.finishedAt),
        );
      }
      await writeFileAtomic(cursorFile, JSON.stringify({ finishedAt: entry.finishedAt }));
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  private applyConsent(state: ConsentState): void {
    this.consent = state;
    this.grants = effectiveGrants(state);
    this.status.set(privacyStatusOf(state));
  }

  private requireConsent(): ConsentState {
    if (!this.consent) throw new Error('TelemetryService.start() first');
    return this.consent;
  }

  private pseudonym(): OtlpKeyValue {
    return { key: PSEUDONYM_KEY, value: { stringValue: this.options.hasher.current() } };
  }

  private deletionRequest(category: TelemetryCategoryId): OtlpLogRecord {
    return {
      timeUnixNano: isoToUnixNano(this.now().toISOString()),
      severityNumber: SEVERITY.info.number,
      severityText: SEVERITY.info.text,
      body: { stringValue: `Delete the ${category} telemetry of this device.` },
      eventName: DELETION_REQUEST_EVENT,
      attributes: [{ key: 'category', value: { stringValue: category } }, this.pseudonym()],
    };
  }

  /** Free text as it may leave the device: registered secrets cut out, then personal data scrubbed. */
  private scrub(text: string): string {
    return scrubText(this.options.secrets ? this.options.secrets.redact(text) : text);
  }

  private unsecret(value: unknown): unknown {
    return this.options.secrets ? redactSecretsIn(value, this.options.secrets) : value;
  }

  private async enqueue(
    category: TelemetryCategoryId,
    priority: OutboxPriority,
    payload: OutboxPayload,
    options?: { expiresAt: Date },
  ): Promise<boolean> {
    try {
      await this.options.outbox.enqueue(category, priority, payload, options);
      return true;
    } catch (error) {
      this.enqueueFailures++;
      if (this.enqueueFailures === 1 || this.enqueueFailures % 100 === 0)
        this.options.warn?.('telemetry: the outbox refused a record', { failures: this.enqueueFailures, error: String(error) });
      return false;
    }
  }

  /** One recording pass at a time, so a consent change never interleaves with one. */
  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.work.then(task, task);
    this.work = run.catch((error: unknown) => this.options.warn?.('telemetry: a recording pass failed', { error: String(error) }));
    return run;
  }
}

/** The end of a record's retention (the registry's), counted from when it happened. */
function expiry(name: MetricName, at: Date): { expiresAt: Date } | undefined {
  const from = at.getTime();
  // An unreadable time (a log line of another process) leaves the record to the outbox's bound.
  return Number.isFinite(from) ? { expiresAt: new Date(from + METRICS[name].retentionDays * DAY_MS) } : undefined;
}
