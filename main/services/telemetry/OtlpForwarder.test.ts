import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeviceIdHasher } from './DeviceIdHasher.js';
import { OtlpForwarder, type ForwarderOptions } from './OtlpForwarder.js';
import { Outbox } from './Outbox.js';
import { PSEUDONYM_KEY } from './recordPseudonym.js';
import { hasherWeekSigners, periodRequestSigner } from './RequestSigner.js';
import { gauge, logRecord, SwitchableNetwork, testSigner, waitFor } from '../../../test-support/telemetry/fixtures.js';
import { OtlpTestReceiver, makeSelfSignedCertificate } from '../../../test-support/telemetry/OtlpTestReceiver.js';

const work = mkdtempSync(join(tmpdir(), 'otlp-forwarder-'));
let tls: { cert: string; key: string };
let receiver: OtlpTestReceiver;
const running: OtlpForwarder[] = [];
let dirs = 0;

beforeAll(() => {
  tls = makeSelfSignedCertificate(work);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.stop()));
  await receiver?.close();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const resource = () => ({ serviceName: 'headsetd', serviceVersion: '1.2.3', deviceId: 'anon-42' });

async function setup(overrides: Partial<ForwarderOptions> = {}, limitBytes = 1024 * 1024) {
  receiver = await OtlpTestReceiver.start(tls);
  const outbox = await Outbox.open({ dir: join(work, `outbox-${dirs++}`), limitBytes });
  const network = new SwitchableNetwork();
  const start = (more: Partial<ForwarderOptions> = {}) => {
    const forwarder = new OtlpForwarder({
      outbox,
      endpoint: { url: receiver.url, ca: tls.cert },
      signer: testSigner(),
      network,
      resource,
      // Long: under load a TLS handshake and signing can take a while, and a timeout after the
      // receiver accepted is a resend (a duplicate); only the stall test wants a short one.
      timeoutMs: 10_000,
      backoff: { baseMs: 5, maxMs: 40, maxRetryAfterMs: 1500 },
      networkPollMs: 10,
      idleMs: 1000,
      ...overrides,
      ...more,
    });
    running.push(forwarder);
    forwarder.start();
    return forwarder;
  };
  return { outbox, network, start };
}

async function enqueueLogs(outbox: Outbox, count: number, prefix = 'line', priority: 'critical' | 'normal' | 'bulk' | 'debug' = 'normal') {
  for (let i = 0; i < count; i++) await outbox.enqueue('errors', priority, { signal: 'logs', record: logRecord(`${prefix} ${i}`) });
}

const expectAll = (count: number, prefix = 'line') =>
  expect(receiver.logBodies().sort()).toEqual(Array.from({ length: count }, (_, i) => `${prefix} ${i}`).sort());

describe('OtlpForwarder', () => {
  it("delivers logs and metrics as exact OTLP JSON, gzip, signed by the week's telemetry key", async () => {
    const hasher = new DeviceIdHasher(mkdtempSync(join(work, 'hasher-')), () => 'device-1');
    await hasher.load();
    const signer = periodRequestSigner(() => hasher.signingSeed());
    const { outbox, start } = await setup({ signer });
    await enqueueLogs(outbox, 5);
    await outbox.enqueue('performance', 'normal', { signal: 'metrics', metric: gauge('headset.cpu.load', 0.25) });
    await outbox.enqueue('usage', 'normal', {
      signal: 'logs',
      record: {
        ...logRecord('event'),
        eventName: 'app.opened',
        attributes: [
          { key: 'n', value: { intValue: '7' } },
          { key: 'list', value: { arrayValue: { values: [{ boolValue: true }, { doubleValue: 1.5 }] } } },
        ],
      },
    });
    start();
    await waitFor(() => receiver.logs.size === 6 && receiver.metricPoints.size === 1, 15_000, 'delivery');
    expect(receiver.problems).toEqual([]);
    expect([...receiver.devices]).toEqual([signer.publicKey()]);
    const event = [...receiver.logs.values()].find((log) => log.body === 'event')!;
    expect(event.resource).toEqual({ 'service.name': 'headsetd', 'service.version': '1.2.3', 'device.id': 'anon-42' });
    expect(event.category).toBe('usage');
    await waitFor(() => outbox.stats().delivered === 7, 15_000, 'acknowledgement');
    expect(outbox.stats().queued).toEqual({ critical: 0, normal: 0, bulk: 0, debug: 0 });
    expect(outbox.stats().queuedBytes).toBe(0);
  });

  it('waits while the receiver is down, then delivers everything', async () => {
    const { outbox, start } = await setup();
    const url = receiver.url;
    await receiver.close();
    await enqueueLogs(outbox, 10);
    const forwarder = start();
    await waitFor(() => outbox.stats().waitingFor === 'retry', 15_000, 'a failure and its backoff');
    expect(outbox.stats().lastError?.message).toMatch(/ECONNREFUSED/);
    await forwarder.stop();
    receiver = await OtlpTestReceiver.start(tls);
    expect(receiver.url).not.toBe(url); // a new port: point a new forwarder at it
    const again = new OtlpForwarder({
      outbox,
      endpoint: { url: receiver.url, ca: tls.cert },
      signer: testSigner(),
      network: new SwitchableNetwork(),
      resource,
      backoff: { baseMs: 5, maxMs: 20, maxRetryAfterMs: 100 },
      idleMs: 1000,
    });
    running.push(again);
    again.start();
    await waitFor(() => outbox.stats().delivered === 10, 15_000, 'delivery');
    expectAll(10);
  });

  it('gives up on a stalled receiver after the timeout and sends again', async () => {
    const { outbox, start } = await setup({ timeoutMs: 500 });
    receiver.script({ kind: 'stall' }, { kind: 'slow', ms: 2000 });
    await enqueueLogs(outbox, 3);
    start();
    await waitFor(() => outbox.stats().delivered === 3, 15_000, 'delivery');
    expectAll(3);
    // The slow answer came after the deadline: its records count as a duplicate at most once.
    // (A loaded machine may also time out an 'ok' answer: one more resend, 3 more duplicates at most.)
    const behaviours = receiver.requests.map((r) => r.behaviour);
    expect(behaviours.slice(0, 2)).toEqual(['stall', 'slow']);
    expect(behaviours.slice(2).every((b) => b === 'ok')).toBe(true);
    expect(receiver.duplicates).toBeLessThanOrEqual(3 * (behaviours.length - 2));
  });

  it('drops a batch refused with 400 and counts it, never resending it', async () => {
    const { outbox, start } = await setup();
    receiver.script({ kind: 'status', status: 400, body: '{"code":3,"message":"bad"}' });
    await enqueueLogs(outbox, 4);
    start();
    await waitFor(() => outbox.stats().dropped === 4, 15_000, 'the drop');
    expect(outbox.stats().lastError?.code).toBe('TELEMETRY_BATCH_REFUSED');
    await enqueueLogs(outbox, 2, 'later');
    await waitFor(() => receiver.logs.size === 2, 15_000, 'later records');
    // The acknowledged chunk is deleted just after the receiver answers: wait for it, not for the answer.
    await waitFor(() => outbox.stats().queuedBytes === 0, 5000, 'the acknowledged records deleted');
    expect(receiver.requests.length).toBe(2);
  });

  it('splits a batch refused with 413 in halves', async () => {
    const { outbox, start } = await setup();
    receiver.script({ kind: 'status', status: 413 }, { kind: 'status', status: 413 });
    await enqueueLogs(outbox, 8);
    start();
    await waitFor(() => outbox.stats().delivered === 8, 15_000, 'delivery');
    expectAll(8);
    // 8 → 413; 4 → 413; 2 + 2; then the other 4.
    expect(receiver.requests.map((r) => r.records)).toEqual([8, 4, 2, 2, 4]);
    expect(receiver.duplicates).toBe(0);
  });

  it('honours Retry-After on 429 (seconds and HTTP date) and retries 503', async () => {
    const { outbox, start } = await setup();
    const times: number[] = [];
    receiver.onRequest = () => times.push(Date.now());
    receiver.script(
      { kind: 'status', status: 429, retryAfter: '1' },
      { kind: 'status', status: 503 },
      { kind: 'status', status: 429, retryAfter: new Date(Date.now() + 60_000).toUTCString() },
    );
    await enqueueLogs(outbox, 2);
    start();
    await waitFor(() => outbox.stats().delivered === 2, 15_000, 'delivery');
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
    // The HTTP date a minute away is capped by maxRetryAfterMs (1.5 s here), not waited in full:
    // the delivery waited for above (15 s at most) came well before the minute.
    expect(times[3]! - times[2]!).toBeGreaterThanOrEqual(1400);
    expectAll(2);
  });

  it('resends after a garbage answer, a raw garbage reply and a connection dropped mid-request', async () => {
    const { outbox, start } = await setup();
    receiver.script({ kind: 'garbage-200' }, { kind: 'garbage-raw' }, { kind: 'drop-before' }, { kind: 'drop-after' });
    await enqueueLogs(outbox, 5);
    start();
    await waitFor(() => outbox.stats().delivered === 5, 15_000, 'delivery');
    expectAll(5);
    expect(receiver.requests.map((r) => r.behaviour)).toEqual(['garbage-200', 'garbage-raw', 'drop-before', 'drop-after', 'ok']);
    // Accepted but unanswered (drop-after): at-least-once resends, the receiver de-duplicates by uid.
    expect(receiver.duplicates).toBe(5);
    expect(receiver.problems).toEqual([]);
  });

  it('keeps bodies under the size limit: splits a batch, drops a single record larger than the limit', async () => {
    const { outbox, start } = await setup({ maxBodyBytes: 4000 });
    await enqueueLogs(outbox, 12);
    await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord(`huge ${'x'.repeat(5000)}`) });
    start();
    await waitFor(() => outbox.stats().delivered === 12 && outbox.stats().dropped === 1, 15_000, 'delivery');
    expectAll(12);
    expect(outbox.stats().lastError?.code).toBe('TELEMETRY_RECORD_TOO_LARGE');
    expect(receiver.requests.length).toBeGreaterThan(1);
    expect(Math.max(...receiver.requests.map((r) => r.records))).toBeLessThan(12);
  });

  it('counts a partial success and does not resend the rejected records', async () => {
    const { outbox, start } = await setup();
    receiver.script({ kind: 'partial', rejected: 2 });
    await enqueueLogs(outbox, 6);
    start();
    await waitFor(() => outbox.stats().delivered === 4, 15_000, 'delivery');
    expect(outbox.stats().dropped).toBe(2);
    expect(receiver.requests.length).toBe(1);
    expect(outbox.stats().lastError?.code).toBe('TELEMETRY_PARTIALLY_REJECTED');
  });

  it('never resends what was purged while it waited for a retry (consent withdrawn)', async () => {
    const { outbox, start } = await setup({ backoff: { baseMs: 200, maxMs: 200, maxRetryAfterMs: 200 }, random: () => 0.999 });
    receiver.script({ kind: 'status', status: 503 });
    await outbox.enqueue('location', 'bulk', { signal: 'logs', record: logRecord('fix') });
    start();
    await waitFor(() => outbox.stats().waitingFor === 'retry', 15_000, 'the retry wait');
    expect(await outbox.purgeCategory('location')).toBe(1);
    await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord('after') });
    await waitFor(() => receiver.logs.size === 1, 15_000, 'the next record');
    expect(receiver.logBodies()).toEqual(['after']);
    expect(receiver.requests.map((r) => r.records)).toEqual([1, 1]);
  });

  it('forgets what the receiver took of records purged during a retry', async () => {
    const { outbox, start } = await setup({ backoff: { baseMs: 200, maxMs: 200, maxRetryAfterMs: 200 }, random: () => 0.999 });
    // 4 → 413; the first half is taken, the second half meets a 503 and waits to be retried.
    receiver.script({ kind: 'status', status: 413 }, { kind: 'ok' }, { kind: 'status', status: 503 });
    for (let i = 0; i < 4; i++) await outbox.enqueue('location', 'bulk', { signal: 'logs', record: logRecord(`fix ${i}`) });
    const forwarder = start();
    await waitFor(() => outbox.stats().waitingFor === 'retry', 15_000, 'the retry wait');
    expect(forwarder.heldAcknowledgements).toBe(2);
    expect(await outbox.purgeCategory('location')).toBe(4);
    await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord('after') });
    await waitFor(() => receiver.logBodies().includes('after'), 15_000, 'the next record');
    await waitFor(() => outbox.stats().delivered >= 1, 15_000, 'the acknowledgement');
    await waitFor(() => forwarder.heldAcknowledgements === 0, 15_000, 'the purged records forgotten');
  });

  it('keeps forwarding after a turn throws (a signer that fails once): the batch is sent again, nothing lost', async () => {
    const inner = testSigner();
    let failures = 1;
    const signer = {
      publicKey: () => {
        if (failures > 0) {
          failures--;
          throw new Error('signing key not loaded yet');
        }
        return inner.publicKey();
      },
      sign: (message: Uint8Array) => inner.sign(message),
    };
    // A backoff long enough to see the failure recorded before the retry clears it.
    const { outbox, start } = await setup({ signer, backoff: { baseMs: 300, maxMs: 300, maxRetryAfterMs: 300 }, random: () => 0.999 });
    await enqueueLogs(outbox, 5);
    const forwarder = start();
    await waitFor(() => outbox.stats().lastError?.code === 'TELEMETRY_SEND_FAILED', 15_000, 'the failure, recorded');
    expect(outbox.stats().lastError?.message).toContain('signing key not loaded yet');
    await waitFor(() => outbox.stats().delivered === 5, 15_000, 'delivery after the failure');
    expectAll(5);
    expect(receiver.duplicates).toBe(0);
    // The error is cleared once the batch is acknowledged (just after the delivered count moves).
    await waitFor(() => outbox.stats().lastError === null, 15_000, 'the error cleared');
    expect(forwarder.heldAcknowledgements).toBe(0);
    // Still running: a record enqueued now goes out too.
    await enqueueLogs(outbox, 1, 'later');
    await waitFor(() => outbox.stats().delivered === 6, 15_000, 'a later record');
  });

  it('sends critical records first', async () => {
    const { outbox, start } = await setup({ maxBatchRecords: 3 });
    await enqueueLogs(outbox, 3, 'debug', 'debug');
    await enqueueLogs(outbox, 3, 'normal', 'normal');
    await enqueueLogs(outbox, 2, 'crash', 'critical');
    start();
    await waitFor(() => outbox.stats().delivered === 8, 15_000, 'delivery');
    const order = [...receiver.logs.values()].map((log) => log.body.split(' ')[0]);
    expect(order).toEqual(['crash', 'crash', 'normal', 'normal', 'normal', 'debug', 'debug', 'debug']);
  });

  it('waits while offline and holds bulk records on a metered network', async () => {
    const { outbox, network, start } = await setup();
    network.value = 'offline';
    await enqueueLogs(outbox, 2, 'normal');
    await enqueueLogs(outbox, 2, 'bulk', 'bulk');
    start();
    await waitFor(() => outbox.stats().waitingFor === 'network', 15_000, 'offline wait');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.requests.length).toBe(0);
    network.value = 'metered';
    await waitFor(() => outbox.stats().waitingFor === 'unmetered-network', 15_000, 'metered wait');
    expect(receiver.logBodies().sort()).toEqual(['normal 0', 'normal 1']);
    expect(outbox.stats().queued.bulk).toBe(2);
    network.value = 'online';
    await waitFor(() => outbox.stats().delivered === 4, 15_000, 'bulk delivery');
    expect(outbox.stats().waitingFor).toBe(null);
  });

  it('keeps delivering in order across a wall-clock jump (backwards and forwards)', async () => {
    let offset = 0;
    const now = () => new Date(Date.now() + offset);
    receiver = await OtlpTestReceiver.start(tls);
    const outbox = await Outbox.open({ dir: join(work, `outbox-${dirs++}`), limitBytes: 1 << 20, now });
    await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord('before') });
    offset = -365 * 86_400_000; // a year back (RTC reset)
    await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord('after back') });
    offset = 10 * 365 * 86_400_000; // then ten years ahead
    await outbox.enqueue('errors', 'normal', { signal: 'logs', record: logRecord('after forward') });
    // A Retry-After date judged by a clock ten years ahead is in the past: retry at once.
    receiver.script({ kind: 'status', status: 503, retryAfter: new Date(Date.now() + 3_600_000).toUTCString() });
    const forwarder = new OtlpForwarder({
      outbox,
      endpoint: { url: receiver.url, ca: tls.cert },
      signer: testSigner(),
      network: new SwitchableNetwork(),
      resource,
      now,
      backoff: { baseMs: 5, maxMs: 20, maxRetryAfterMs: 60_000 },
      idleMs: 1000,
    });
    running.push(forwarder);
    forwarder.start();
    await waitFor(() => outbox.stats().delivered === 3, 15_000, 'delivery');
    expect([...receiver.logs.values()].map((log) => log.body)).toEqual(['before', 'after back', 'after forward']);
  });

  it('refuses an endpoint that is not https', async () => {
    const outbox = await Outbox.open({ dir: join(work, `outbox-${dirs++}`), limitBytes: 1 << 20 });
    receiver = await OtlpTestReceiver.start(tls);
    expect(
      () => new OtlpForwarder({ outbox, endpoint: { url: 'http://127.0.0.1:1' }, signer: testSigner(), network: new SwitchableNetwork(), resource }),
    ).toThrow(/https/);
  });
  describe('signs each week with its own key', () => {
    async function weekHasher(clock: { now: Date }) {
      const dir = mkdtempSync(join(work, 'weeks-'));
      const hasher = new DeviceIdHasher(
        dir,
        () => 'device-1',
        () => clock.now,
      );
      await hasher.load();
      return { dir, hasher };
    }
    const tagged = (text: string, pseudonym: string) => {
      const record = logRecord(text);
      return {
        signal: 'logs' as const,
        record: { ...record, attributes: [...(record.attributes ?? []), { key: PSEUDONYM_KEY, value: { stringValue: pseudonym } }] },
      };
    };
    const publicKeyOf = (seed: Buffer) => periodRequestSigner(() => Buffer.from(seed)).publicKey();

    it("records queued on Sunday 23:59 and sent after Monday 00:00 are signed by last week's key, one week per request", async () => {
      const clock = { now: new Date('2026-12-06T23:59:00Z') }; // Sunday of 2026-W49
      const { hasher } = await weekHasher(clock);
      const oldWeek = { pseudonym: hasher.current(), key: publicKeyOf(hasher.signingSeed()) };
      const { outbox, start } = await setup();
      for (let i = 0; i < 3; i++) await outbox.enqueue('errors', 'normal', tagged(`sunday ${i}`, oldWeek.pseudonym));
      clock.now = new Date('2026-12-07T00:00:30Z'); // Monday: 2026-W50
      const newWeek = { pseudonym: hasher.current(), key: publicKeyOf(hasher.signingSeed()) };
      expect(newWeek.pseudonym).not.toBe(oldWeek.pseudonym);
      expect(newWeek.key).not.toBe(oldWeek.key);
      for (let i = 0; i < 2; i++) await outbox.enqueue('errors', 'normal', tagged(`monday ${i}`, newWeek.pseudonym));
      start({ signer: periodRequestSigner(() => hasher.signingSeed()), weeks: hasherWeekSigners(hasher), now: () => clock.now });
      await waitFor(() => outbox.stats().delivered === 5, 15_000, 'delivery');
      expect(receiver.problems).toEqual([]);
      // The receiver verified each signature with the key in the header: last week's for last week's records.
      for (const request of receiver.signed) {
        expect(request.pseudonyms).toHaveLength(1);
        expect(request.device).toBe(request.pseudonyms[0] === oldWeek.pseudonym ? oldWeek.key : newWeek.key);
      }
      expect(receiver.signed.map((r) => r.pseudonyms[0]).sort()).toEqual([newWeek.pseudonym, oldWeek.pseudonym].sort());
    });

    it("keeps a week's key across a key reset only while its records are queued, then destroys it", async () => {
      const clock = { now: new Date('2026-12-06T12:00:00Z') };
      const { dir, hasher } = await weekHasher(clock);
      const before = { pseudonym: hasher.current(), key: publicKeyOf(hasher.signingSeed()) };
      const { outbox, start } = await setup();
      await outbox.enqueue('essential', 'critical', tagged('delete my data', before.pseudonym));
      await hasher.reset(await outbox.queuedPseudonyms()); // opt-out of everything
      const seedFile = join(dir, 'telemetry-retired-signing', `${before.pseudonym}.seed`);
      expect(existsSync(seedFile)).toBe(true);
      expect(hasher.current()).not.toBe(before.pseudonym);
      // Reloaded (a restart): the retired key is still there for the queued record.
      const restarted = new DeviceIdHasher(
        dir,
        () => 'device-1',
        () => clock.now,
      );
      await restarted.load();
      start({ signer: periodRequestSigner(() => restarted.signingSeed()), weeks: hasherWeekSigners(restarted), now: () => clock.now });
      await waitFor(() => outbox.stats().delivered === 1, 15_000, 'delivery');
      expect(receiver.signed).toEqual([{ device: before.key, pseudonyms: [before.pseudonym] }]);
      await waitFor(() => !existsSync(seedFile), 5000, 'retired key destroyed');
      expect(readdirSync(join(dir, 'telemetry-retired-signing'))).toEqual([]);
    });

    it('drops and counts records of a week whose key is gone, never signing them with another key', async () => {
      const clock = { now: new Date('2026-12-07T08:00:00Z') };
      const { hasher } = await weekHasher(clock);
      const { outbox, start } = await setup();
      await outbox.enqueue('errors', 'normal', tagged('orphan', 'f'.repeat(32)));
      await outbox.enqueue('errors', 'normal', tagged('current', hasher.current()));
      start({ signer: periodRequestSigner(() => hasher.signingSeed()), weeks: hasherWeekSigners(hasher), now: () => clock.now });
      await waitFor(() => outbox.stats().delivered === 1 && outbox.stats().dropped === 1, 15_000, 'settled');
      expect(receiver.logBodies()).toEqual(['current']);
      expect(receiver.signed.flatMap((r) => r.pseudonyms)).toEqual([hasher.current()]);
      expect(outbox.stats().lastError?.code).toBe('TELEMETRY_WEEK_KEY_GONE');
    });
  });
});
