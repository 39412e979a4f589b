import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupportStatus } from '../../../src/api/contract/support.js';
import { SecretRegistry } from '../../../src/secrets/SecretRegistry.js';
import { errorCodeOf } from '../../../test-support/api/errorCodes.js';
import { createFakeDevice } from '../../../test-support/api/fakeDevice.js';
import { connectHarness } from '../../../test-support/api/harness.js';
import { capturedLog } from '../../../test-support/logging/capturedLog.js';
import { relayRigUnavailable, TestRelay } from '../../../test-support/support/relayRig.js';
import { GpioValueFile } from '../mode/GpioValueFile.js';
import { supportCapability } from './supportCapability.js';

describe('support in the API', () => {
  it('a support request while locked is refused (FORBIDDEN names the scope); unlocked, it starts; stopping never needs the PIN', async () => {
    const device = createFakeDevice({ lock: { pin: '4711' } });
    const { client } = connectHarness({ device, scopes: ['status', 'user'] });
    expect(await errorCodeOf(client.call('support.start', {}))).toBe('FORBIDDEN');
    expect((await client.call('support.status')).state).toBe('off');
    await client.call('lock.unlock', { pin: '4711' });
    expect((await client.call('support.start', { reason: 'crackling audio' })).state).toBe('active');
    await client.call('lock.lock');
    const stopped = await client.call('support.stop');
    expect(stopped).toMatchObject({ state: 'off', lastEnded: { reason: 'wearer' } });
  });

  it('the default session is 60 minutes; 24 h is the most', async () => {
    const { client } = connectHarness();
    expect((await client.call('support.start', {})).session!.durationMinutes).toBe(60);
    await client.call('support.stop');
    expect((await client.call('support.start', { durationMinutes: 1440 })).session!.durationMinutes).toBe(1440);
    await client.call('support.stop');
    expect(await errorCodeOf(client.call('support.start', { durationMinutes: 1441 }))).toBe('SUPPORT_DURATION_OUT_OF_RANGE');
  });
});

const unavailable = relayRigUnavailable();
if (unavailable) console.log(`support switch test skipped: ${unavailable}`);

describe.skipIf(unavailable)('the physical support switch (a GPIO value file)', () => {
  let relay: TestRelay;
  const home = mkdtempSync(join(tmpdir(), 'support-switch-'));
  beforeAll(async () => {
    relay = new TestRelay();
    await relay.start();
  });
  afterAll(async () => {
    await relay.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('its position at start-up starts nothing; turned on it starts a session, turned off it ends it', async () => {
    const stateDir = join(home, 'state');
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(join(stateDir, 'support-relay.json'), JSON.stringify(relay.config()));
    const switchFile = join(home, 'support-switch-value');
    writeFileSync(switchFile, '1\n');
    const lines: string[] = [];
    const runDir = `/run/headset-support-test/switch-${process.pid}`;
    const capability = supportCapability({
      stateDir,
      runDir,
      sources: { logDir: home, crashesDir: home, healthHistory: join(stateDir, 'h'), updateHistory: join(stateDir, 'u'), configFiles: [] },
      secrets: new SecretRegistry(),
      log: capturedLog(lines, 'support'),
      supportSwitch: { isOn: () => new GpioValueFile(switchFile).isHeld() },
      switchPollMs: 50,
    });
    const status = capability.provides.support.status;
    const until = (test: (s: SupportStatus) => boolean) =>
      new Promise<SupportStatus>((resolve) => {
        const check = (s: SupportStatus) => test(s) && (off(), resolve(s));
        const off = status.subscribe(check);
        const now = status.current();
        if (now) check(now);
      });
    await capability.start!();
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(status.current()).toMatchObject({ state: 'off', switchOn: true });
      writeFileSync(switchFile, '0\n');
      await until((s) => !s.switchOn);
      writeFileSync(switchFile, '1\n');
      const started = await until((s) => s.state === 'active');
      expect(started.session!.startedBy).toBe('switch');
      writeFileSync(switchFile, '0\n');
      expect((await until((s) => s.state === 'off')).lastEnded?.reason).toBe('switch');
      expect(lines).toEqual(
        expect.arrayContaining(['support switch turned on', 'support session started', 'support switch turned off', 'support session ended']),
      );
    } finally {
      await capability.stop!();
      rmSync(runDir, { recursive: true, force: true });
    }
  });
});
