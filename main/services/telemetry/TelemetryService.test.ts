import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BootStatus, HealthSnapshot, UpdateHistoryEntry, UpdateStatus } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { sampleBoot, sampleHealth, sampleUpdateStatus } from '../../../test-support/api/samples.js';
import { settledCodeOf } from '../../../test-support/api/errorCodes.js';
import type { LogRecord } from '../../../src/logging/logRecord.js';
import { PRIVACY_POLICY_VERSION } from '../../../src/telemetry/consent.js';
import { CrashRecorder } from '../logging/CrashRecorder.js';
import { Logger } from '../logging/Logger.js';
import { ConsentStore } from './ConsentStore.js';
import { DeviceIdHasher, isoWeek } from './DeviceIdHasher.js';
import { LogForwardingSink } from './LogForwardingSink.js';
import { Outbox, type OutboxBatch, type OutboxRecord } from './Outbox.js';
import type { OutboxPayload } from './ports.js';
import { DELETION_REQUEST_EVENT, PSEUDONYM_KEY, TelemetryService } from './TelemetryService.js';

const DEVICE_ID = '6f1c1f9e-3b0a-4f5e-9a4b-2a8f4c1d7e10';
let dir: string;
let clock: Date;
const opened: Outbox[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'telemetry-'));
  clock = new Date('2026-11-22T10:47:13Z');
});
afterEach(async () => {
  for (const outbox of opened.splice(0)) await outbox.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The real outbox, in a folder of its own for each run of the service (what that run queued). */
async function openOutbox(name = `outbox-${opened.length}`): Promise<Outbox> {
  const outbox = await Outbox.open({ dir: join(dir, name), limitBytes: 1 << 20, now: () => clock });
  opened.push(outbox);
  return outbox;
}

/** What the outbox holds, read through its own API: every batch taken, then released untouched. */
async function queuedRecords(outbox: Outbox): Promise<OutboxRecord[]> {
  const batches: OutboxBatch[] = [];
  for (let batch = await take(outbox); batch; batch = await take(outbox)) batches.push(batch);
  for (const batch of batches) outbox.release(batch);
  return batches.flatMap((batch) => batch.records);
}
const take = (outbox: Outbox) => outbox.takeBatch({ allowBulk: true, maxBytes: 1 << 20, maxRecords: 10_000 });
const nameOf = (record: OutboxRecord) => (record.payload.signal === 'logs' ? (record.payload.record.eventName ?? '?') : record.payload.metric.name);
const names = async (outbox: Outbox) => (await queuedRecords(outbox)).map(nameOf);
/** Everything queued so far delivered (acknowledged): the outbox is empty again. */
async function deliverAll(outbox: Outbox): Promise<void> {
  for (let batch = await take(outbox); batch; batch = await take(outbox))
    await outbox.acknowledge(batch, { delivered: batch.records.length, rejected: 0 });
}

async function setup(extra: Partial<ConstructorParameters<typeof TelemetryService>[0]> & { outbox?: Outbox } = {}) {
  const outbox = extra.outbox ?? (await openOutbox());
  const health = new StateChannel<HealthSnapshot>();
  const hasher = new DeviceIdHasher(
    dir,
    () => DEVICE_ID,
    () => clock,
  );
  const service = new TelemetryService({
    consent: new ConsentStore(dir),
    hasher,
    stateDir: dir,
    appVersion: '1.0.0',
    health,
    now: () => clock,
    sampleEveryMs: 0,
    ...extra,
    outbox,
  });
  return { outbox, health, hasher, service };
}
/** A health snapshot taken now (an older one would be past its retention: never queued for sending). */
const snapshot = (cpuLoadPercent?: number): HealthSnapshot => ({ ...sampleHealth(cpuLoadPercent), takenAt: clock.toISOString() });
const grant = (service: TelemetryService, granted: Record<string, boolean>) => service.setConsent({ policyVersion: PRIVACY_POLICY_VERSION, granted });

describe('TelemetryService', () => {
  it('records only granted categories, from the health snapshots, skipping the first reading', async () => {
    const { outbox, health, service } = await setup();
    await service.start();
    health.set(snapshot(5));
    health.set(snapshot(50));
    await service.idle();
    expect(await names(outbox)).toEqual([]);
    await grant(service, { performance: true });
    health.set(snapshot(60));
    await service.idle();
    expect(await names(outbox)).toEqual(['system.cpu_load', 'system.memory_used', 'system.disk_used']);
    expect((await queuedRecords(outbox)).every((r) => r.category === 'performance' && r.priority === 'bulk')).toBe(true);
    await grant(service, { hardware: true });
    await deliverAll(outbox);
    health.set({ ...snapshot(61), gps: { timeToLockMs: 31_000, locked: true, satellites: 8 } });
    await service.idle();
    expect(await names(outbox)).toEqual(expect.arrayContaining(['gps.time_to_lock', 'hardware.temperature', 'hardware.battery_charge']));
    const lock = (await queuedRecords(outbox)).find((r) => r.payload.signal === 'metrics' && r.payload.metric.name === 'gps.time_to_lock')!;
    expect(lock.payload.signal === 'metrics' && lock.payload.metric.gauge?.dataPoints[0]?.asDouble).toBe(31);
  });

  it('records location only as a 5-character geohash or a known track point, to the hour', async () => {
    let fix = { position: { lat: 48.8583701, lon: 2.2944813 }, at: Date.parse('2026-11-22T10:31:00Z') };
    const track = {
      id: 'circuit-1',
      points: [
        { latitude: 45.0, longitude: 7.0 },
        { latitude: 45.001, longitude: 7.0 },
      ],
    };
    const { outbox, health, service } = await setup({ latestFix: () => fix, knownTracks: [track] });
    await service.start();
    await grant(service, { location: true });
    health.set(snapshot());
    health.set(snapshot());
    await service.idle();
    fix = { position: { lat: 45.00101, lon: 7.0001 }, at: Date.parse('2026-11-22T10:59:00Z') };
    health.set(snapshot());
    await service.idle();
    const records = await queuedRecords(outbox);
    const located = records.filter((r) => r.category === 'location').map((r) => (r.payload.signal === 'logs' ? r.payload.record : undefined)!);
    expect(located.map((r) => r.attributes.slice(0, -1))).toEqual([
      [{ key: 'geohash', value: { stringValue: 'u09tu' } }],
      [
        { key: 'track', value: { stringValue: 'circuit-1' } },
        { key: 'point', value: { intValue: '1' } },
      ],
    ]);
    expect(located.map((r) => r.timeUnixNano)).toEqual([
      `${Date.parse('2026-11-22T10:00:00Z')}000000`,
      `${Date.parse('2026-11-22T10:00:00Z')}000000`,
    ]);
    expect(JSON.stringify(records)).not.toContain('48.858');
    expect(
      readFileSync(
        join(
          dir,
          'outbox-0',
          readdirSync(join(dir, 'outbox-0')).find((n) => n.includes('.location.'))!,
        ),
        'utf8',
      ),
    ).not.toContain('48.858');
  });

  it('refuses undeclared metrics at run time', async () => {
    const { service } = await setup();
    await service.start();
    await expect(service.record('user.email' as 'ui.screen_view', null, { screen: 'x' })).rejects.toThrow(/not declared/);
  });

  it('turning a category off stops it, purges its queue and sends a deletion request with the pseudonym', async () => {
    const { outbox, hasher, service } = await setup();
    await service.start();
    await grant(service, { usage: true, errors: true });
    expect(await service.record('ui.screen_view', null, { screen: 'updates' })).toBe(true);
    expect(await names(outbox)).toEqual(['ui.screen_view']);
    const pseudonym = hasher.current();
    await grant(service, { usage: false });
    // The queued screen view is gone (purged), the deletion request is queued in its place.
    expect(await names(outbox)).toEqual([DELETION_REQUEST_EVENT]);
    const request = (await queuedRecords(outbox))[0]!;
    expect(request).toMatchObject({ category: 'essential', priority: 'critical' });
    expect(request.payload.signal === 'logs' && request.payload.record.attributes).toEqual([
      { key: 'category', value: { stringValue: 'usage' } },
      { key: PSEUDONYM_KEY, value: { stringValue: pseudonym } },
    ]);
    expect(await service.record('ui.screen_view', null, { screen: 'updates' })).toBe(false);
    // The last optional category off: the key behind the pseudonym is replaced, after the request.
    await grant(service, { errors: false });
    expect(hasher.current()).not.toBe(pseudonym);
    expect(
      service
        .privacy()
        .categories.filter((c) => c.granted)
        .map((c) => c.id),
    ).toEqual(['essential']);
  });

  it('a power cut during a withdrawal: the next start purges, requests deletion and replaces the key', async () => {
    const fix = { position: { lat: 48.8583701, lon: 2.2944813 }, at: Date.parse('2026-11-22T10:31:00Z') };
    const first = await setup({ latestFix: () => fix });
    await first.service.start();
    await grant(first.service, { location: true });
    first.health.set(snapshot());
    first.health.set(snapshot());
    await first.service.idle();
    expect((await queuedRecords(first.outbox)).filter((r) => r.category === 'location')).toHaveLength(1);
    const pseudonym = first.hasher.current();
    // The cut: the decision is on disk, then the process dies before the purge.
    vi.spyOn(first.outbox, 'purgeCategory').mockRejectedValueOnce(new Error('power cut'));
    await expect(grant(first.service, { location: false })).rejects.toThrow('power cut');
    const saved = JSON.parse(readFileSync(join(dir, 'privacy-consent.json'), 'utf8')) as { granted: { location: boolean }; pending: unknown };
    expect(saved).toMatchObject({ granted: { location: false }, pending: { categories: ['location'], resetPseudonym: true } });

    await first.outbox.close();

    // The next start, on the same outbox folder: the location record queued before the cut goes.
    const second = await setup({ outbox: await openOutbox('outbox-0') });
    await second.service.start();
    const left = await queuedRecords(second.outbox);
    expect(left.filter((r) => r.category === 'location')).toEqual([]);
    expect(left.map(nameOf)).toContain(DELETION_REQUEST_EVENT);
    const request = left.find((r) => r.payload.signal === 'logs' && r.payload.record.eventName === DELETION_REQUEST_EVENT)!;
    expect(JSON.stringify(request)).toContain(pseudonym);
    expect(second.hasher.current()).not.toBe(pseudonym);
    expect(JSON.parse(readFileSync(join(dir, 'privacy-consent.json'), 'utf8'))).toMatchObject({ pending: { categories: [], resetPseudonym: false } });
    // Done once: a third start owes nothing.
    await second.outbox.close();
    const third = await setup({ outbox: await openOutbox('outbox-0') });
    const thirdPurge = vi.spyOn(third.outbox, 'purgeCategory');
    await third.service.start();
    expect(thirdPurge).not.toHaveBeenCalled();
    expect((await queuedRecords(third.outbox)).filter((r) => nameOf(r) === DELETION_REQUEST_EVENT)).toHaveLength(1);
  });

  it('refuses essential off and an outdated policy, changing nothing', async () => {
    const { outbox, service } = await setup();
    await service.start();
    expect(await settledCodeOf(grant(service, { essential: false }))).toBe('PRIVACY_ESSENTIAL_CATEGORY');
    expect(await settledCodeOf(service.setConsent({ policyVersion: 0, granted: { usage: true } }))).toBe('PRIVACY_POLICY_OUTDATED');
    expect(service.isGranted('usage')).toBe(false);
    expect(await queuedRecords(outbox)).toEqual([]);
    expect(() => statSync(join(dir, 'privacy-consent.json'))).toThrow(/ENOENT/);
  });

  it('persists consent across restarts; an unreadable file asks again with everything optional off', async () => {
    const first = await setup();
    await first.service.start();
    await grant(first.service, { location: true });
    const second = await setup();
    await second.service.start();
    expect(second.service.isGranted('location')).toBe(true);
    expect(second.service.privacy().needsDecision).toBe(false);
    expect(statSync(join(dir, 'privacy-consent.json')).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, 'privacy-consent.json'), '{"policyVersion": 1, "granted": {"location": tr');
    const third = await setup();
    await third.service.start();
    expect(third.service.isGranted('location')).toBe(false);
    expect(third.service.privacy().needsDecision).toBe(true);
  });

  it('buckets usage times to the hour and tags every record with the weekly pseudonym', async () => {
    const { outbox, hasher, service } = await setup();
    await service.start();
    await grant(service, { usage: true });
    await service.record('ui.feature_use', null, { feature: 'rollback' });
    const record = (await queuedRecords(outbox)).find((r) => nameOf(r) === 'ui.feature_use')!.payload;
    expect(record.signal === 'logs' && record.record.timeUnixNano).toBe(String(Date.parse('2026-11-22T10:00:00Z')) + '000000');
    expect(JSON.stringify(record)).toContain(hasher.current());
    expect(JSON.stringify(record)).not.toContain(DEVICE_ID);
  });

  it('forwards warn/error/fatal log entries scrubbed when errors is granted; never debug or info', async () => {
    const { outbox, service } = await setup();
    await service.start();
    const logger = new Logger({ version: '1.0.0', commit: 'c', bootId: 'b' }, [new LogForwardingSink(service)], 'debug');
    const network = logger.for('network');
    network.error('join failed for jane@example.com', { psk: 'hunter2hunter2' });
    await service.idle();
    expect(await queuedRecords(outbox)).toEqual([]);
    await grant(service, { errors: true });
    network.debug('scan', { ssid: 'Home' });
    network.info('joined');
    network.warn("weak signal on SSID 'Jane Home'", { rssi: -80 });
    network.error('join failed for jane@example.com', { psk: 'hunter2hunter2', lat: 48.85837, lon: 2.294481 });
    logger.for('system').fatal('out of memory');
    await new Promise((r) => setTimeout(r, 0));
    const forwarded = await queuedRecords(outbox);
    // In sending order: critical first.
    expect(forwarded.map((r) => [r.payload.signal === 'logs' && r.payload.record.severityText, r.priority])).toEqual([
      ['FATAL', 'critical'],
      ['WARN', 'normal'],
      ['ERROR', 'normal'],
    ]);
    const text = JSON.stringify(forwarded);
    for (const secret of ['Jane Home', 'jane@example.com', 'hunter2hunter2', '48.85837', '2.294481']) expect(text).not.toContain(secret);
    expect(text).toContain('u09tu');
    // The counts go out with the next sample.
    clock = new Date(clock.getTime() + 1000);
    await service.record('errors.count', 1, { subsystem: 'network', level: 'warn' });
    expect(await names(outbox)).toContain('errors.count');
  });

  it('forwards crash records once, scrubbed and critical, only when errors is granted', async () => {
    const crashes = new CrashRecorder(
      join(dir, 'crashes'),
      {
        version: '1.0.0',
        commit: 'c',
        bootId: () => 'b',
        recentLines: () => [JSON.stringify({ level: 'info', msg: 'PIN 4711 entered by jane@example.com' })],
        lastHealth: () => undefined,
      },
      { now: () => clock },
    );
    const id = crashes.recordSync({
      process: 'renderer',
      error: { name: 'TypeError', message: 'x of /home/jane/app', stack: 'at /home/jane/app.js:1' },
    })!;
    const { outbox, service } = await setup({ crashes });
    await service.start();
    expect(await crashes.pending()).toEqual([id]);
    await grant(service, { errors: true });
    expect(await service.forwardCrashes()).toBe(1);
    expect(await crashes.pending()).toEqual([]);
    const records = await queuedRecords(outbox);
    expect(records.map(nameOf)).toEqual(['crash.record', 'errors.crash_count']);
    expect(records[0]!.priority).toBe('critical');
    const text = JSON.stringify(records);
    for (const secret of ['4711', 'jane']) expect(text).not.toContain(secret);
    expect(await service.forwardCrashes()).toBe(0);
  });

  it('records the installed version per boot and each finished update once, across restarts', async () => {
    const history: UpdateHistoryEntry[] = [
      {
        version: '1.1.0',
        fromVersion: '1.0.0',
        slot: 'B',
        startedAt: '2026-11-20T10:00:00Z',
        finishedAt: '2026-11-20T10:05:00Z',
        outcome: 'rolled-back',
        detail: 'trial failed',
      },
    ];
    const updates = { status: new StateChannel<UpdateStatus>(sampleUpdateStatus), history: async () => [...history].reverse() };
    const boot = new StateChannel<BootStatus>(sampleBoot);
    const first = await setup({ updates, boot });
    await first.service.start();
    await first.service.idle();
    const records = await queuedRecords(first.outbox);
    expect(records.map(nameOf).sort()).toEqual(['system.installed_version', 'update.outcome', 'update.rollbacks']);
    const rollback = records.find((r) => nameOf(r) === 'update.rollbacks')!.payload;
    expect(rollback.signal === 'metrics' && rollback.metric.sum?.dataPoints[0]?.attributes.map((a) => a.key)).toEqual([
      'from_version',
      'to_version',
      'trigger',
      PSEUDONYM_KEY,
    ]);
    await deliverAll(first.outbox);
    history.push({ ...history[0]!, version: '1.2.0', finishedAt: '2026-11-21T10:05:00Z', outcome: 'committed' });
    updates.status.set({ ...sampleUpdateStatus });
    await first.service.idle();
    expect(await names(first.outbox)).toEqual(['update.outcome']);
    await first.service.stop();
    const second = await setup({ updates, boot });
    await second.service.start();
    await second.service.idle();
    expect(await names(second.outbox)).toEqual(['system.installed_version']);
  });
});

describe('TelemetryService retention', () => {
  const DAY = 86_400_000;
  /** What the real outbox holds on disk: each record's name, when it happened and when it expires. */
  function queued(outboxDir: string): { name: string; expiresAt?: string }[] {
    return readdirSync(outboxDir)
      .filter((n) => n.endsWith('.chunk'))
      .flatMap((n) => readFileSync(join(outboxDir, n), 'utf8').split('\n').filter(Boolean))
      .map((line) => JSON.parse(line.slice(9)) as { p: OutboxPayload; x?: string })
      .map(({ p, x }) => ({ name: p.signal === 'logs' ? (p.record.eventName ?? '?') : p.metric.name, ...(x ? { expiresAt: x } : {}) }));
  }
  const errorLine = (msg: string): LogRecord => ({
    time: clock.toISOString(),
    level: 'error',
    subsystem: 'update',
    msg,
    version: '1.0.0',
    commit: 'c',
    bootId: 'b',
    seq: 1,
  });

  it('a purge that fails does not stop the service from starting: it warns and tries again on the next pass', async () => {
    const warnings: string[] = [];
    const { outbox, service } = await setup({ warn: (msg) => warnings.push(msg) });
    vi.spyOn(outbox, 'purgeExpired').mockRejectedValueOnce(new Error('EIO'));
    await service.start();
    expect(warnings).toEqual(['telemetry: could not purge expired records from the outbox']);
    await grant(service, { performance: true });
    expect(await service.record('system.cpu_load', 12, {})).toBe(true);
  });

  it('each record expires after its registry retention; what outlived it is purged at start and on the periodic pass', async () => {
    const outboxDir = join(dir, 'outbox');
    const outbox = await Outbox.open({ dir: outboxDir, limitBytes: 1 << 20, now: () => clock });
    const first = await setup({ outbox });
    await first.service.start();
    await grant(first.service, { errors: true, performance: true });
    const t0 = clock.getTime();
    first.service.forwardLog(errorLine('slot unreadable'));
    await first.service.record('system.cpu_load', 12, {});
    await first.service.idle();
    await outbox.flush();
    expect(queued(outboxDir)).toEqual([
      { name: 'log.record', expiresAt: new Date(t0 + 30 * DAY).toISOString() },
      { name: 'system.cpu_load', expiresAt: new Date(t0 + 90 * DAY).toISOString() },
    ]);
    await first.service.stop();

    // Off for 31 days: the next start purges the 30-day log record, keeps the 90-day metric.
    clock = new Date(t0 + 31 * DAY);
    const second = await setup({ outbox, purgeEveryMs: 3_600_000 });
    await second.service.start();
    expect(queued(outboxDir).map((r) => r.name)).toEqual(['system.cpu_load']);
    expect(outbox.stats().dropped).toBe(1);

    // Running on: the health pass purges at most once an hour.
    clock = new Date(t0 + 91 * DAY);
    second.service.forwardLog(errorLine('fresh'));
    second.health.set({ ...sampleHealth(5), takenAt: clock.toISOString() });
    second.health.set({ ...sampleHealth(6), takenAt: clock.toISOString() });
    await second.service.idle();
    await outbox.flush();
    const after = queued(outboxDir);
    expect(after.map((r) => r.name)).toContain('log.record');
    expect(after.every((r) => Date.parse(r.expiresAt!) > clock.getTime())).toBe(true); // the old cpu_load went
    expect(outbox.stats().dropped).toBe(2);
    await second.service.stop();
    await outbox.close();
  });
});

describe('DeviceIdHasher', () => {
  it('is a keyed hash of the device id and the ISO week, kept 0600, rotated per week and on reset', async () => {
    const hasher = new DeviceIdHasher(
      dir,
      () => DEVICE_ID,
      () => clock,
    );
    await hasher.load();
    const week47 = hasher.current();
    expect(week47).toMatch(/^[0-9a-f]{32}$/);
    expect(week47).not.toContain(DEVICE_ID.slice(0, 8));
    expect(statSync(join(dir, 'telemetry-id.key')).mode & 0o777).toBe(0o600);
    const again = new DeviceIdHasher(
      dir,
      () => DEVICE_ID,
      () => clock,
    );
    await again.load();
    expect(again.current()).toBe(week47);
    clock = new Date('2026-11-30T00:00:01Z');
    expect(hasher.current()).not.toBe(week47);
    clock = new Date('2026-11-22T23:59:59Z');
    expect(hasher.current()).toBe(week47);
    const key = readFileSync(join(dir, 'telemetry-id.key'));
    await hasher.reset();
    expect(readFileSync(join(dir, 'telemetry-id.key')).equals(key)).toBe(false);
    expect(hasher.current()).not.toBe(week47);
  });

  it('names ISO weeks as the standard does', () => {
    expect(isoWeek(new Date('2026-11-22T12:00:00Z'))).toBe('2026-W47');
    expect(isoWeek(new Date('2021-01-03T12:00:00Z'))).toBe('2020-W53');
    expect(isoWeek(new Date('2024-12-30T12:00:00Z'))).toBe('2025-W01');
  });
});
