import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRIVACY_POLICY_VERSION } from '../../../src/telemetry/consent.js';
import type { OtlpLogRecord } from '../../../src/telemetry/otlpJson.js';
import { ConsentStore } from './ConsentStore.js';
import { DeviceIdHasher } from './DeviceIdHasher.js';
import { MinidumpFolder } from './MinidumpFolder.js';
import { Outbox, type OutboxBatch, type OutboxRecord } from './Outbox.js';
import { TelemetryService } from './TelemetryService.js';

const DEVICE_ID = '6f1c1f9e-3b0a-4f5e-9a4b-2a8f4c1d7e10';
const DAY_MS = 86_400_000;
let dir: string;
let clock: Date;
const opened: Outbox[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'minidumps-'));
  clock = new Date('2026-11-22T10:47:13Z');
});
afterEach(async () => {
  for (const outbox of opened.splice(0)) await outbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const dumpsDir = () => join(dir, 'crashdumps');
const completed = () => join(dumpsDir(), 'completed');

/** A dump as Crashpad leaves it: `<uuid>.dmp` and its `.meta`, written `ageMs` before now. */
function writeDump(name: string, bytes: Buffer, ageMs = 60_000): string {
  mkdirSync(completed(), { recursive: true });
  const path = join(completed(), `${name}.dmp`);
  writeFileSync(path, bytes);
  writeFileSync(join(completed(), `${name}.meta`), 'meta');
  const at = new Date(clock.getTime() - ageMs);
  utimesSync(path, at, at);
  return path;
}

async function run(options: { maxDumpBytes?: number; outboxName: string }) {
  const outbox = await Outbox.open({ dir: join(dir, options.outboxName), limitBytes: 1 << 22, now: () => clock });
  opened.push(outbox);
  const minidumps = new MinidumpFolder(dumpsDir(), {
    retentionMs: 30 * DAY_MS,
    maxDumps: 3,
    now: () => clock,
    ...(options.maxDumpBytes ? { maxDumpBytes: options.maxDumpBytes } : {}),
  });
  const service = new TelemetryService({
    outbox,
    consent: new ConsentStore(dir),
    hasher: new DeviceIdHasher(
      dir,
      () => DEVICE_ID,
      () => clock,
    ),
    stateDir: dir,
    appVersion: '1.0.0',
    minidumps,
    now: () => clock,
  });
  await service.start();
  return { outbox, service };
}
const grantErrors = (service: TelemetryService, on = true) => service.setConsent({ policyVersion: PRIVACY_POLICY_VERSION, granted: { errors: on } });

async function queued(outbox: Outbox): Promise<OutboxRecord[]> {
  const batches: OutboxBatch[] = [];
  for (let batch = await take(outbox); batch; batch = await take(outbox)) batches.push(batch);
  for (const batch of batches) outbox.release(batch);
  return batches.flatMap((batch) => batch.records);
}
const take = (outbox: Outbox) => outbox.takeBatch({ allowBulk: true, maxBytes: 1 << 22, maxRecords: 10_000 });
const logOf = (record: OutboxRecord): OtlpLogRecord => {
  if (record.payload.signal !== 'logs') throw new Error('not a log record');
  return record.payload.record;
};
const minidumpRecords = async (outbox: Outbox) =>
  (await queued(outbox)).filter((r) => r.payload.signal === 'logs' && r.payload.record.eventName === 'crash.minidump');
const attribute = (record: OtlpLogRecord, key: string) => record.attributes.find((a) => a.key === key)?.value;

describe('Electron minidumps through telemetry', () => {
  it('forwards a dump once as a critical errors record when granted, and a restart does not resend it', async () => {
    const bytes = randomBytes(4096);
    const path = writeDump('0b5d4c1e-aaaa-4bbb-8ccc-123456789abc', bytes, 47 * 60_000);
    const first = await run({ outboxName: 'outbox-1' });
    await grantErrors(first.service);
    expect(await first.service.forwardCrashes()).toBe(1);
    const [record, ...more] = await minidumpRecords(first.outbox);
    expect(more).toEqual([]);
    expect(record!.category).toBe('errors');
    expect(record!.priority).toBe('critical');
    const log = logOf(record!);
    expect(log.body).toEqual({ stringValue: bytes.toString('base64') });
    expect(attribute(log, 'process')).toEqual({ stringValue: 'electron' });
    expect(attribute(log, 'size_bytes')).toEqual({ intValue: '4096' });
    expect(attribute(log, 'sha256')).toEqual({ stringValue: createHash('sha256').update(bytes).digest('hex') });
    expect(attribute(log, 'dump_included')).toEqual({ boolValue: true });
    // Made at 10:00:13: said to the hour, no closer; kept for the registry's 30 days from then.
    expect(attribute(log, 'created')).toEqual({ stringValue: '2026-11-22T10:00:00.000Z' });
    expect(record!.expiresAt).toBe(new Date(clock.getTime() - 47 * 60_000 + 30 * DAY_MS).toISOString());
    expect((await queued(first.outbox)).some((r) => r.payload.signal === 'metrics' && r.payload.metric.name === 'errors.crash_count')).toBe(true);
    // Handed on: the dump and its .meta are gone, and a second pass sends nothing.
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(completed())).toEqual([]);
    expect(await first.service.forwardCrashes()).toBe(0);
    await first.service.stop();

    const second = await run({ outboxName: 'outbox-2' });
    expect(await second.service.forwardCrashes()).toBe(0);
    expect(await minidumpRecords(second.outbox)).toEqual([]);
  });

  it('keeps dumps local when errors is not granted, bounded in number, and deletes them after the retention', async () => {
    for (let i = 0; i < 5; i++) writeDump(`dump-${i}`, randomBytes(100), (10 - i) * 60_000);
    const { outbox, service } = await run({ outboxName: 'outbox' });
    expect(await service.forwardCrashes()).toBe(0);
    expect(await minidumpRecords(outbox)).toEqual([]);
    // maxDumps 3: the two oldest went (with their .meta).
    expect(readdirSync(completed()).sort()).toEqual(['dump-2.dmp', 'dump-2.meta', 'dump-3.dmp', 'dump-3.meta', 'dump-4.dmp', 'dump-4.meta']);
    clock = new Date(clock.getTime() + 30 * DAY_MS);
    await service.forwardCrashes();
    expect(readdirSync(completed())).toEqual([]);
    expect(await minidumpRecords(outbox)).toEqual([]);
  });

  it('sends only the size and hash of a dump over the cap', async () => {
    const bytes = randomBytes(8192);
    writeDump('big', bytes);
    const { outbox, service } = await run({ outboxName: 'outbox', maxDumpBytes: 4096 });
    await grantErrors(service);
    expect(await service.forwardCrashes()).toBe(1);
    const [record] = await minidumpRecords(outbox);
    const log = logOf(record!);
    expect(JSON.stringify(log)).not.toContain(bytes.toString('base64').slice(0, 64));
    expect(attribute(log, 'dump_included')).toEqual({ boolValue: false });
    expect(attribute(log, 'size_bytes')).toEqual({ intValue: '8192' });
    expect(attribute(log, 'sha256')).toEqual({ stringValue: createHash('sha256').update(bytes).digest('hex') });
    expect(readdirSync(completed())).toEqual([]);
  });
});
