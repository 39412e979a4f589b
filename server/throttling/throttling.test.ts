import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_API } from '../../src/fleet/deviceApi.js';
import { TestClock } from '../../test-support/fleet/fleetTestServer.js';
import { fetchSender } from '../../test-support/fleet/httpSender.js';
import { OperatorClient } from '../../test-support/fleet/OperatorClient.js';
import { bundleFleetServer, startFleetServerProcess } from '../../test-support/fleet/serverProcess.js';
import { ENGINES, PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';
import { countEvent, uncount } from './throttle.js';
import { DEFAULT_THROTTLE_LIMITS } from './throttleLimits.js';

const databases = new TestDatabases();
let bundle: ReturnType<typeof bundleFleetServer>;
beforeAll(async () => {
  bundle = bundleFleetServer();
  await databases.prepare(ENGINES);
}, PREPARE_TIMEOUT_MS);
afterAll(async () => {
  bundle.remove();
  await databases.close();
});

const rule = { name: 'test', limit: 10, windowMs: 60_000 };

describe.each(ENGINES)('throttle counters on %s', (engine) => {
  it('let exactly the limit through when many count at once, and a new window starts afresh', async () => {
    const db = await databases.migrated(engine);
    const clock = new TestClock(Date.parse('2026-12-07T10:00:10Z'));
    const verdicts = await Promise.all(Array.from({ length: 25 }, () => countEvent(db, clock, [{ rule, key: 'k' }])));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(10);
    const refused = verdicts.filter((v) => !v.allowed);
    expect(refused).toHaveLength(15);
    expect(Math.max(...refused.map((v) => v.retryAfterSeconds))).toBe(50);
    // Another key has its own count.
    expect((await countEvent(db, clock, [{ rule, key: 'other' }])).allowed).toBe(true);
    clock.advance(50_000);
    expect((await countEvent(db, clock, [{ rule, key: 'k' }])).allowed).toBe(true);
  });

  it('take back what they counted', async () => {
    const db = await databases.migrated(engine);
    const clock = new TestClock();
    for (let i = 0; i < 30; i++) {
      const verdict = await countEvent(db, clock, [{ rule, key: 'ok' }]);
      expect(verdict.allowed).toBe(true);
      await uncount(db, verdict.counted);
    }
  });
});

describe('throttling across two server processes on one PostgreSQL', () => {
  it('counts failed logins and challenges in the database: the limit holds whichever process is asked', async () => {
    const url = await databases.emptyPostgresUrl();
    const [a, b] = await Promise.all([
      startFleetServerProcess(bundle.entry, ['--database', url]),
      startFleetServerProcess(bundle.entry, ['--database', url]),
    ]);
    try {
      const password = (a.oneTimePassword ?? b.oneTimePassword)!;
      const senders = [fetchSender(a.url), fetchSender(b.url)];
      // A successful login takes its attempt back: many in a row are never throttled.
      for (let i = 0; i < DEFAULT_THROTTLE_LIMITS.loginPerUser.limit + 2; i++) {
        expect((await new OperatorClient(senders[i % 2]!).login('admin', password)).status).toBe(200);
      }
      // Failed logins for admin sent at once, half to each process: exactly the limit are checked.
      const limit = DEFAULT_THROTTLE_LIMITS.loginPerUser.limit;
      const answers = await Promise.all(
        Array.from({ length: limit + 3 }, (_, i) => new OperatorClient(senders[i % 2]!).login('admin', `wrong password ${i}`)),
      );
      const codes = answers.map((r) => r.json<{ code: string }>().code).sort();
      expect(codes.filter((c) => c === 'LOGIN_FAILED')).toHaveLength(limit);
      expect(codes.filter((c) => c === 'LOGIN_THROTTLED')).toHaveLength(3);
      const throttled = answers.find((r) => r.status === 429)!;
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      // Now even the right password waits, on either process; another user name does not.
      for (const send of senders) expect((await new OperatorClient(send).login('admin', password)).json()).toMatchObject({ code: 'LOGIN_THROTTLED' });
      expect((await new OperatorClient(senders[1]!).login('someone', 'x')).json()).toMatchObject({ code: 'LOGIN_FAILED' });

      // Challenges for one device id, alternating processes: the limit holds across both.
      const deviceId = crypto.randomUUID();
      const ask = (i: number) =>
        senders[i % 2]!({
          method: 'POST',
          url: DEVICE_API.challenges,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ deviceId }),
        });
      const perDevice = DEFAULT_THROTTLE_LIMITS.challengePerDevice.limit;
      for (let i = 0; i < perDevice; i++) expect((await ask(i)).status).toBe(200);
      const refused = await ask(perDevice);
      expect(refused.json()).toMatchObject({ code: 'CHALLENGE_THROTTLED' });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 180_000);
});
