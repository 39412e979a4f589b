import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_API, type DeviceDetail, type Session } from '../src/fleet/operatorApi.js';
import { fetchSender } from '../test-support/fleet/httpSender.js';
import { OperatorClient } from '../test-support/fleet/OperatorClient.js';
import { bundleFleetServer, runFleetServer, startFleetServerProcess } from '../test-support/fleet/serverProcess.js';
import { sampleInventory, TestHeadset } from '../test-support/fleet/TestHeadset.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../test-support/fleet/testDatabases.js';

const NEW_PASSWORD = 'a long enough new password';
let bundle: ReturnType<typeof bundleFleetServer>;
const databases = new TestDatabases();
const folders: string[] = [];
beforeAll(async () => {
  bundle = bundleFleetServer();
  await databases.prepare(['postgresql']);
}, PREPARE_TIMEOUT_MS);
afterAll(async () => {
  bundle.remove();
  await databases.close();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('the fleet server as a process', () => {
  it('starts on PGlite in a folder, prints its URL and the first admin’s one-time password once, and keeps its data', async () => {
    const data = mkdtempSync(join(tmpdir(), 'fleet-data-'));
    folders.push(data);
    const first = await startFleetServerProcess(bundle.entry, ['--data', data]);
    try {
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(first.oneTimePassword).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
      const admin = new OperatorClient(fetchSender(first.url));
      const login = await admin.login('admin', first.oneTimePassword!);
      expect(login.json<Session>().operator).toMatchObject({ role: 'admin', mustChangePassword: true });
      expect((await admin.changePassword(first.oneTimePassword!, NEW_PASSWORD)).status).toBe(200);
      // The password never reaches the log (stdout carries it once, on its own line, for whoever started the server).
      expect(
        first
          .output()
          .split('\n')
          .filter((l) => l.includes(first.oneTimePassword!)),
      ).toHaveLength(1);
      expect(first.output()).not.toContain(NEW_PASSWORD);
    } finally {
      expect(await first.stop()).toBe(0);
    }

    const again = await startFleetServerProcess(bundle.entry, ['--data', data]);
    try {
      expect(again.oneTimePassword).toBeUndefined();
      expect((await new OperatorClient(fetchSender(again.url)).login('admin', NEW_PASSWORD)).status).toBe(200);
    } finally {
      await again.stop();
    }

    const reset = await startFleetServerProcess(bundle.entry, ['--data', data, '--reset-password', 'admin']);
    try {
      expect(reset.oneTimePassword).toBeDefined();
      const admin = new OperatorClient(fetchSender(reset.url));
      expect((await admin.login('admin', NEW_PASSWORD)).status).toBe(401);
      expect((await admin.login('admin', reset.oneTimePassword!)).json<Session>().operator.mustChangePassword).toBe(true);
    } finally {
      await reset.stop();
    }
  }, 120_000);

  it('refuses a database URL carrying a password, and a wrong option, with the usage', async () => {
    const withPassword = await runFleetServer(bundle.entry, ['--database', 'postgres://fleet:hunter2@127.0.0.1/fleet']);
    expect(withPassword.code).toBe(2);
    expect(withPassword.stderr).toContain('PGPASSWORD');
    const wrong = await runFleetServer(bundle.entry, ['--colour', 'blue']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Usage: npm run server');
  });

  it('two server processes share one PostgreSQL: a headset and an operator may go to either', async () => {
    const url = await databases.emptyPostgresUrl();
    // Started together: the migrations and the first admin are made once between them.
    const [a, b] = await Promise.all([
      startFleetServerProcess(bundle.entry, ['--database', url]),
      startFleetServerProcess(bundle.entry, ['--database', url]),
    ]);
    try {
      const passwords = [a.oneTimePassword, b.oneTimePassword].filter(Boolean);
      expect(passwords).toHaveLength(1);
      const toA = fetchSender(a.url);
      const toB = fetchSender(b.url);

      // The challenge comes from A and is answered to B; the answer replayed to A is refused.
      const headset = new TestHeadset(toA);
      const registration = headset.registration(await headset.challenge());
      expect((await new TestHeadset(toB, headset.deviceId).postRegistration(registration)).json()).toMatchObject({ status: 'pending' });
      expect((await headset.postRegistration(registration)).json()).toMatchObject({ code: 'CHALLENGE_USED' });

      // Logged in on A, the same session accepts on B.
      const onA = new OperatorClient(toA);
      await onA.login('admin', passwords[0]!);
      await onA.changePassword(passwords[0]!, NEW_PASSWORD);
      const onB = new OperatorClient(toB);
      onB.cookie = onA.cookie;
      onB.csrfToken = onA.csrfToken;
      expect((await onB.post(OPERATOR_API.decision(headset.deviceId, 'accept'), {})).status).toBe(200);

      // A check-in to A, the same signed request replayed to B: refused.
      const checkIn = headset.checkInRequest(sampleInventory({ groupTags: ['two-servers'] }));
      expect((await toA(checkIn)).status).toBe(200);
      expect((await toB(checkIn)).json()).toMatchObject({ code: 'REQUEST_REPLAYED' });
      const seen = (await onA.get(OPERATOR_API.device(headset.deviceId))).json<DeviceDetail>();
      expect(seen.groupTags).toEqual(['two-servers']);

      // Both answer many headsets at once.
      const fleet = Array.from({ length: 20 }, (_, i) => new TestHeadset(i % 2 ? toA : toB));
      const answers = await Promise.all(fleet.map((h) => h.register()));
      expect(answers.map((r) => r.status)).toEqual(fleet.map(() => 200));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 120_000);
});
