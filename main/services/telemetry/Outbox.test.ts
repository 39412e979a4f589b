import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedPageCache } from '../device/SimulatedPageCache.js';
import { useFileSync } from '../storage/fileSync.js';
import { Outbox, type OutboxBatch } from './Outbox.js';
import { logRecord } from '../../../test-support/telemetry/fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'outbox-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let dirs = 0;
const fresh = () => join(work, `o${dirs++}`);
const take = (outbox: Outbox, allowBulk = true) => outbox.takeBatch({ allowBulk, maxBytes: 1 << 20, maxRecords: 10_000 });
const bodies = (batch: OutboxBatch | undefined) =>
  batch?.records.map((r) => (r.payload.signal === 'logs' ? (r.payload.record.body as { stringValue: string }).stringValue : r.payload.metric.name)) ??
  [];
const chunkFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.chunk'));

describe('Outbox', () => {
  it('keeps records across a restart until they are acknowledged (the files are the cursor)', async () => {
    const dir = fresh();
    const outbox = await Outbox.open({ dir, limitBytes: 1 << 20 });
    for (let i = 0; i < 5; i++) await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord(`r${i}`) });
    const batch = await take(outbox);
    expect(bodies(batch)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(new Set(batch!.records.map((r) => r.id)).size).toBe(5);
    // Sent but never acknowledged (a crash mid-send): everything is still there after a restart.
    const reopened = await Outbox.open({ dir, limitBytes: 1 << 20 });
    expect(reopened.stats().queued.normal).toBe(5);
    const again = await take(reopened);
    expect(again!.records.map((r) => r.id)).toEqual(batch!.records.map((r) => r.id));
    await reopened.acknowledge(again!, { delivered: 5, rejected: 0 });
    expect(chunkFiles(dir)).toEqual([]);
    await reopened.close(); // the counters are saved within a second, and on close
    const third = await Outbox.open({ dir, limitBytes: 1 << 20 });
    expect(third.stats()).toMatchObject({ queuedBytes: 0, delivered: 5 });
    expect(await take(third)).toBeUndefined();
  });

  it('released batches come back; new records go to a new chunk while one is in flight', async () => {
    const outbox = await Outbox.open({ dir: fresh(), limitBytes: 1 << 20 });
    await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord('a') });
    const batch = await take(outbox);
    await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord('b') });
    expect(bodies(await take(outbox))).toEqual(['b']);
    outbox.release(batch!);
    expect(bodies(await take(outbox))).toEqual(['a']);
  });

  it('skips and counts a corrupt record (flipped bytes), keeps the others, and never fails on it again', async () => {
    const dir = fresh();
    const outbox = await Outbox.open({ dir, limitBytes: 1 << 20 });
    for (let i = 0; i < 3; i++) await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord(`r${i}`) });
    await outbox.close();
    const [file] = chunkFiles(dir);
    const bytes = readFileSync(join(dir, file!));
    const second = bytes.indexOf('r1');
    bytes[second] = bytes[second]! ^ 0x04; // "r1" -> "v1": the checksum no longer matches
    writeFileSync(join(dir, file!), bytes);
    appendFileSync(join(dir, file!), '0badc0de {"torn'); // a torn tail, as after a power cut
    const reopened = await Outbox.open({ dir, limitBytes: 1 << 20 });
    const batch = await take(reopened);
    expect(bodies(batch)).toEqual(['r0', 'r2']);
    expect(reopened.stats().corruptSkipped).toBe(2);
    reopened.release(batch!);
    // Counted once: the bad lines were removed from the chunk.
    expect(bodies(await take(reopened))).toEqual(['r0', 'r2']);
    expect(reopened.stats().corruptSkipped).toBe(2);
    // A chunk of nothing but garbage is skipped too.
    writeFileSync(join(dir, '000000000099.normal.errors.logs.chunk'), Buffer.from([0xff, 0x00, 0x0a, 0x41, 0x0a]));
    const third = await Outbox.open({ dir, limitBytes: 1 << 20 });
    const all = await take(third);
    expect(bodies(all)).toEqual(['r0', 'r2']);
    expect(third.stats().corruptSkipped).toBe(4);
  });

  it('drops debug first, then bulk, then normal, critical last, and stays within its bound', async () => {
    const dir = fresh();
    const outbox = await Outbox.open({ dir, limitBytes: 16 * 1024, chunkBytes: 2048 });
    const put = (priority: 'critical' | 'normal' | 'bulk' | 'debug', n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => outbox.enqueue('errors', priority, { signal: 'logs', record: logRecord(`${priority} ${i}`) })));
    await put('critical', 20);
    await put('normal', 20);
    await put('bulk', 20);
    await put('debug', 20);
    expect(outbox.stats().queuedBytes).toBeLessThanOrEqual(16 * 1024);
    expect(outbox.stats().queued.critical).toBe(20);
    // Filling up with normal records pushes out debug before bulk, bulk before normal.
    await put('normal', 30);
    let stats = outbox.stats();
    expect(stats.queued.debug).toBe(0);
    expect(stats.queued.critical).toBe(20);
    expect(stats.queuedBytes).toBeLessThanOrEqual(16 * 1024);
    await put('normal', 60);
    stats = outbox.stats();
    expect(stats.queued.bulk).toBe(0);
    expect(stats.queued.critical).toBe(20);
    expect(stats.queuedBytes).toBeLessThanOrEqual(16 * 1024);
    expect(stats.dropped).toBeGreaterThan(40);
    // Debug never pushes out anything above it: it is the one dropped.
    const before = outbox.stats().queued;
    await put('debug', 5);
    expect(outbox.stats().queued.normal).toBe(before.normal);
    expect(outbox.stats().queued.critical).toBe(20);
    expect(outbox.stats().queuedBytes).toBeLessThanOrEqual(16 * 1024);
    // A crash loop while offline: critical records push out everything else, then the oldest
    // critical chunks; the bound holds and every record is either queued or counted as dropped.
    await put('critical', 200);
    stats = outbox.stats();
    expect(stats.queued.normal + stats.queued.bulk + stats.queued.debug).toBe(0);
    expect(stats.queuedBytes).toBeLessThanOrEqual(16 * 1024);
    expect(stats.queued.critical).toBeLessThan(220);
    expect(stats.queued.critical + stats.dropped).toBe(20 + 20 + 20 + 20 + 30 + 60 + 5 + 200);
    const kept = bodies(await take(outbox));
    expect(kept).toContain('critical 199');
    expect(kept).not.toContain('critical 0');
    let onDisk = 0;
    for (const name of chunkFiles(dir)) onDisk += statSync(join(dir, name)).size;
    expect(onDisk).toBeLessThanOrEqual(16 * 1024);
  });

  it('keeps at most maxHeldCritical critical records in memory while nothing can make room, the newest', async () => {
    const dir = fresh();
    const outbox = await Outbox.open({ dir, limitBytes: 4096, chunkBytes: 1024, maxHeldCritical: 5 });
    const crash = (i: number) => outbox.enqueue('errors', 'critical', { signal: 'logs', record: logRecord(`crash ${i}`) });
    for (let i = 0; i < 13; i++) await crash(i); // 306 bytes each: the outbox is full
    expect(outbox.stats().queuedBytes).toBeGreaterThan(4096 - 306);
    // Everything on disk is in flight: nothing may be pushed out while the forwarder sends it.
    const inFlight = await take(outbox);
    expect(bodies(inFlight)).toHaveLength(13);
    for (let i = 13; i < 43; i++) await crash(i);
    const stats = outbox.stats();
    expect(stats.queuedBytes).toBeLessThanOrEqual(4096);
    let onDisk = 0;
    for (const name of chunkFiles(dir)) onDisk += readFileSync(join(dir, name), 'utf8').split('\n').length - 1;
    expect(stats.queued.critical - onDisk).toBe(5); // held in memory, no more
    expect(stats.queued.critical + stats.dropped).toBe(43);
    expect(stats.lastError?.code).toBe('OUTBOX_DISK_FULL');
    // Delivered: the held records reach the disk and the forwarder; the newest were kept.
    await outbox.acknowledge(inFlight!, { delivered: 13, rejected: 0 });
    const sent: string[] = [];
    for (let batch = await take(outbox); batch; batch = await take(outbox)) {
      sent.push(...bodies(batch));
      await outbox.acknowledge(batch, { delivered: batch.records.length, rejected: 0 });
    }
    expect(sent).toEqual(['crash 38', 'crash 39', 'crash 40', 'crash 41', 'crash 42']);
    expect(outbox.stats().dropped).toBe(25);
    expect(outbox.stats().queued.critical).toBe(0);
  });

  it('drops (and counts) a record larger than the whole bound, critical too, keeping the rest', async () => {
    const dir = fresh();
    const outbox = await Outbox.open({ dir, limitBytes: 4096, chunkBytes: 1024 });
    await outbox.enqueue('errors', 'critical', { signal: 'logs', record: logRecord('small') });
    await outbox.enqueue('errors', 'critical', { signal: 'logs', record: logRecord(`huge ${'x'.repeat(5000)}`) });
    expect(outbox.stats()).toMatchObject({ dropped: 1, queued: { critical: 1 } });
    expect(bodies(await take(outbox))).toEqual(['small']);
    await outbox.close();
  });

  it('drops (and counts) what is enqueued after close, without opening a chunk', async () => {
    const dir = fresh();
    const outbox = await Outbox.open({ dir, limitBytes: 1 << 20 });
    await outbox.enqueue('errors', 'critical', { signal: 'logs', record: logRecord('before') });
    await outbox.close();
    const files = chunkFiles(dir);
    await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord('during shutdown') });
    await outbox.enqueue('errors', 'critical', { signal: 'logs', record: logRecord('during shutdown') });
    await outbox.flush();
    expect(chunkFiles(dir)).toEqual(files);
    expect(outbox.stats().dropped).toBe(2);
    const reopened = await Outbox.open({ dir, limitBytes: 1 << 20 });
    expect(bodies(await take(reopened))).toEqual(['before']);
    await reopened.close();
  });

  it('a power cut keeps the critical records (fsynced through the page cache, new folders included) and may lose the others', async () => {
    const root = fresh();
    mkdirSync(root);
    const cache = await SimulatedPageCache.attach(root);
    const restore = useFileSync(cache);
    const dir = join(root, 'var', 'telemetry', 'outbox');
    let outbox: Outbox | undefined;
    try {
      outbox = await Outbox.open({ dir, limitBytes: 1 << 20, chunkBytes: 4096 });
      for (let i = 0; i < 3; i++) await outbox.enqueue('errors', 'critical', { signal: 'logs', record: logRecord(`crash ${i}`) });
      await outbox.enqueue('usage', 'normal', { signal: 'logs', record: logRecord('usage') });
      await cache.cut('revert'); // no close first: the power goes
    } finally {
      restore();
    }
    await outbox.close(); // after the cut: only its file handles matter now
    const reopened = await Outbox.open({ dir, limitBytes: 1 << 20 });
    expect(reopened.stats().queued.critical).toBe(3);
    expect(reopened.stats().queued.normal).toBe(0); // never synced: the cut took it
    expect(bodies(await take(reopened))).toEqual(['crash 0', 'crash 1', 'crash 2']);
    await reopened.close();
  });

  it('purges a category, queued and on disk', async () => {
    const dir = fresh();
    const outbox = await Outbox.open({ dir, limitBytes: 1 << 20 });
    await outbox.enqueue('location', 'normal', { signal: 'logs', record: logRecord('fix 1') });
    await outbox.enqueue('location', 'bulk', { signal: 'logs', record: logRecord('fix 2') });
    await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord('error') });
    const pendingWrite = outbox.enqueue('location', 'normal', { signal: 'logs', record: logRecord('fix 3') });
    expect(await outbox.purgeCategory('location')).toBe(3);
    await pendingWrite;
    expect(bodies(await take(outbox))).toEqual(['error']);
    expect(chunkFiles(dir).some((name) => name.includes('location'))).toBe(false);
  });

  it('never hands out a record past its expiry; purgeExpired removes expired records from the files, across a restart', async () => {
    const dir = fresh();
    let clock = new Date('2026-11-01T00:00:00Z');
    const day = (n: number) => new Date(Date.UTC(2026, 10, 1 + n));
    const outbox = await Outbox.open({ dir, limitBytes: 1 << 20, now: () => clock });
    await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord('short') }, { expiresAt: day(30) });
    await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord('long') }, { expiresAt: day(90) });
    await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord('forever') });
    await outbox.enqueue('location', 'bulk', { signal: 'logs', record: logRecord('fix') }, { expiresAt: day(30) });
    expect(await outbox.purgeExpired()).toBe(0);
    // Past 30 days, before any purge: the forwarder does not get the expired ones.
    clock = day(31);
    const batch = await take(outbox);
    expect(bodies(batch)).toEqual(['long', 'forever']);
    outbox.release(batch!);
    await outbox.close();
    // After a restart the purge rewrites the errors chunk and removes the location chunk whole.
    const reopened = await Outbox.open({ dir, limitBytes: 1 << 20, now: () => clock });
    expect(await reopened.purgeExpired()).toBe(2);
    expect(chunkFiles(dir).some((name) => name.includes('location'))).toBe(false);
    expect(readFileSync(join(dir, chunkFiles(dir)[0]!), 'utf8')).not.toContain('short');
    expect(reopened.stats().queued.normal).toBe(2);
    expect(reopened.stats().dropped).toBe(2); // the released batch counted nothing
    clock = day(91);
    expect(await reopened.purgeExpired()).toBe(1);
    const last = await take(reopened);
    expect(bodies(last)).toEqual(['forever']);
    await reopened.acknowledge(last!, { delivered: 1, rejected: 0 });
    expect(chunkFiles(dir)).toEqual([]);
    expect(reopened.stats()).toMatchObject({ dropped: 3, delivered: 1 });
  });

  it('on a full disk drops lower priorities and keeps critical records (tmpfs of 256 KiB)', async (context) => {
    if (process.getuid?.() !== 0) return context.skip();
    const dir = join(work, 'tmpfs');
    mkdirSync(dir);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
    } catch {
      return context.skip();
    }
    const opened: Outbox[] = [];
    try {
      // The bound is larger than the disk: the disk fills first.
      const outbox = await Outbox.open({ dir, limitBytes: 4 << 20, chunkBytes: 16 * 1024 });
      opened.push(outbox);
      const big = 'x'.repeat(900);
      for (let i = 0; i < 400; i++) await outbox.enqueue('performance', 'debug', { signal: 'logs', record: logRecord(`debug ${i} ${big}`) });
      expect(outbox.stats().lastError?.code).toBe('OUTBOX_DISK_FULL');
      const droppedBefore = outbox.stats().dropped;
      expect(droppedBefore).toBeGreaterThan(0);
      for (let i = 0; i < 50; i++) await outbox.enqueue('errors', 'critical', { signal: 'logs', record: logRecord(`crash ${i} ${big}`) });
      expect(outbox.stats().queued.critical).toBe(50);
      await outbox.close();
      const reopened = await Outbox.open({ dir, limitBytes: 4 << 20 });
      opened.push(reopened);
      expect(reopened.stats().queued.critical).toBe(50);
      const batch = await reopened.takeBatch({ allowBulk: true, maxBytes: 1 << 20, maxRecords: 1000 });
      expect(batch!.records.filter((r) => r.priority === 'critical')).toHaveLength(50);
      expect(reopened.stats().corruptSkipped).toBe(0);
      let used = 0;
      for (const name of readdirSync(dir)) used += statSync(join(dir, name)).size;
      expect(used).toBeLessThanOrEqual(256 * 1024);
      reopened.release(batch!);

      // Nothing left to drop and the disk still full: critical records wait in memory, counted,
      // and reach the disk once deliveries make room. None is lost.
      for (let i = 50; i < 400; i++) await reopened.enqueue('errors', 'critical', { signal: 'logs', record: logRecord(`crash ${i} ${big}`) });
      expect(reopened.stats().queued.critical).toBe(400);
      let onDisk = 0;
      for (const name of chunkFiles(dir)) onDisk += readFileSync(join(dir, name), 'utf8').split('\n').length - 1;
      expect(onDisk).toBeLessThan(400); // the rest is held in memory
      expect(reopened.stats().lastError?.message).toMatch(/held in memory|ENOSPC|short write/);
      const seen = new Set<string>();
      for (let round = 0; round < 50 && seen.size < 400; round++) {
        const next = await reopened.takeBatch({ allowBulk: true, maxBytes: 64 * 1024, maxRecords: 60 });
        if (!next) break;
        for (const record of next.records)
          seen.add(
            bodies({ ...next, records: [record] })[0]!
              .split(' ')
              .slice(0, 2)
              .join(' '),
          );
        await reopened.acknowledge(next, { delivered: next.records.length, rejected: 0 });
      }
      expect(seen.size).toBe(400);
      expect(reopened.stats().queued.critical).toBe(0);
    } finally {
      for (const outbox of opened) await outbox.close();
      execFileSync('umount', [dir]);
    }
  });
});
