import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import type { Scope } from '../../src/api/contract.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { errorCodeOf } from '../../test-support/api/errorCodes.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { verifySanitizationRecord } from '../services/userData/SanitizationRecords.js';
import { createHeadset, type Headset } from './composition.js';

const build = { version: '1.0.0', commit: 'abc', builtAt: '2026-01-01T00:00:00Z' };
const roots: string[] = [];
const running: Headset[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.close()));
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

async function boot(root: string) {
  let off!: () => void;
  const poweredOff = new Promise<void>((resolve) => (off = resolve));
  const headset = await createHeadset({ device: 'simulated', root, build, healthIntervalMs: 60_000, onPowerOff: () => off() });
  running.push(headset);
  const [a, b] = createMemoryPortPair();
  headset.router.connect(b, { label: 'test', scopes: new Set<Scope>(['status', 'user', 'recovery']) });
  return { headset, client: new ApiClient(a), poweredOff };
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('factory reset through headsetd', () => {
  it('asks the PIN and a confirmation, erases, signs a record, stops, and starts again in setup with calibration and identity kept', async () => {
    const root = mkdtempSync(join(tmpdir(), 'factory-reset-'));
    roots.push(root);
    const layout = new SimulatedDeviceLayout(root);
    const first = await boot(root);
    await first.client.call('setup.complete');
    await first.client.call('lock.set', { pin: '2468' });
    mkdirSync(join(layout.calibrationDir), { recursive: true });
    writeFileSync(join(layout.calibrationDir, 'imu.json'), '{"bias":[0.01,0.02,0.03]}');
    const calibration = sha(join(layout.calibrationDir, 'imu.json'));
    const identityKey = sha(join(layout.identityDir, 'ed25519.secret'));
    const identity = await first.client.call('identity.get');

    expect(await first.client.call('reset.plan', { scope: 'everything' })).toMatchObject({ pinRequired: true, setupAfter: true, restarts: true });
    // Locked: the call needs the unlocked scope; unlocked, it still needs the PIN and a yes.
    await first.client.call('lock.lock');
    expect(await errorCodeOf(first.client.call('reset.wipe', { scope: 'everything', confirm: true, pin: '2468' }))).toBe('FORBIDDEN');
    await first.client.call('lock.unlock', { pin: '2468' });
    expect(await errorCodeOf(first.client.call('reset.wipe', { scope: 'everything', confirm: false, pin: '2468' }))).toBe(
      'RESET_CONFIRMATION_REQUIRED',
    );
    expect(await errorCodeOf(first.client.call('reset.wipe', { scope: 'everything', confirm: true }))).toBe('RESET_PIN_REQUIRED');
    expect(await errorCodeOf(first.client.call('reset.wipe', { scope: 'everything', confirm: true, pin: '1111' }))).toBe('LOCK_WRONG_PIN');
    expect(await errorCodeOf(first.client.call('reset.wipe', { scope: 'decommission', confirm: true, pin: '2468' }))).toBe(
      'RESET_SCOPE_OPERATOR_ONLY',
    );
    const phases: string[] = [];
    first.client.subscribe('reset.changed', (state) => phases.push(state.status === 'wiping' ? state.phase : state.status));
    const started = await first.client.call('reset.wipe', { scope: 'everything', confirm: true, pin: '2468' });
    expect(started.status).toBe('wiping');
    await first.poweredOff;
    await first.headset.close();
    running.splice(0);
    expect(phases).toContain('restarting');

    const second = await boot(root);
    expect(await second.client.call('mode.get')).toMatchObject({ mode: 'setup', setupComplete: false });
    expect((await second.client.call('lock.status')).pin).toBe('none');
    const state = await second.client.call('reset.status');
    expect(state).toMatchObject({ status: 'idle', last: { scopes: ['everything'], verification: 'passed' } });
    const [record] = await second.client.call('reset.records');
    const check = verifySanitizationRecord(JSON.stringify(record), identity.publicKey);
    expect(check.ok).toBe(true);
    expect(record!.record.kept.find((k) => k.classId === 'calibration')?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(sha(join(layout.calibrationDir, 'imu.json'))).toBe(calibration);
    expect(sha(join(layout.identityDir, 'ed25519.secret'))).toBe(identityKey);
    expect(existsSync(join(layout.persistDir, 'reset', 'journal.json'))).toBe(false);
    expect(readdirSync(join(layout.persistDir, 'reset', 'records'))).toHaveLength(1);
    // The factory reset's defaults step restored the declared configuration, and the record says it was checked.
    expect(record!.record.checks).toContainEqual(expect.objectContaining({ name: 'configuration at its defaults', passed: true }));
  }, 60_000);

  it('resets the configuration: defaults back, the PIN kept as chosen, calibration proven unchanged, then a restart', async () => {
    const root = mkdtempSync(join(tmpdir(), 'config-reset-'));
    roots.push(root);
    const layout = new SimulatedDeviceLayout(root);
    const first = await boot(root);
    await first.client.call('setup.complete');
    await first.client.call('update.settings', { allowMetered: true });
    await first.client.call('lock.set', { pin: '2468' });
    mkdirSync(layout.calibrationDir, { recursive: true });
    writeFileSync(join(layout.calibrationDir, 'imu.json'), '{"bias":[0.01,0.02,0.03]}');
    const calibration = sha(join(layout.calibrationDir, 'imu.json'));
    await first.client.call('lock.lock');
    expect(await errorCodeOf(first.client.call('reset.configure', { confirm: true, pin: '2468', keepPin: true, keepAccounts: true }))).toBe(
      'FORBIDDEN',
    );
    await first.client.call('lock.unlock', { pin: '2468' });
    expect(await errorCodeOf(first.client.call('reset.configure', { confirm: false, pin: '2468', keepPin: true, keepAccounts: true }))).toBe(
      'RESET_CONFIRMATION_REQUIRED',
    );
    expect(await errorCodeOf(first.client.call('reset.configure', { confirm: true, keepPin: true, keepAccounts: true }))).toBe('RESET_PIN_REQUIRED');
    const report = await first.client.call('reset.configure', { confirm: true, pin: '2468', keepPin: true, keepAccounts: true });
    expect(report).toMatchObject({ pin: 'kept', accounts: 'kept', calibration: { unchanged: true } });
    expect(report.calibration.after).toMatch(/^[0-9a-f]{64}$/);
    await first.poweredOff;
    await first.headset.close();
    running.splice(0);

    const second = await boot(root);
    expect((await second.client.call('update.status')).settings.allowMetered).toBe(false);
    expect((await second.client.call('lock.status')).pin).toBe('set');
    expect(await second.client.call('mode.get')).toMatchObject({ setupComplete: true });
    expect(sha(join(layout.calibrationDir, 'imu.json'))).toBe(calibration);
  }, 60_000);

  it('resets the hardware: every peripheral brought up and verified, a fault injected by file reported, the IMU recalibrated while still', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hw-reset-'));
    roots.push(root);
    const layout = new SimulatedDeviceLayout(root);
    const first = await boot(root);
    await first.client.call('setup.complete');
    mkdirSync(join(root, 'hardware', 'audio'), { recursive: true });
    writeFileSync(join(root, 'hardware', 'audio', 'fault'), 'no-answer\n');
    const report = await first.client.call('reset.hardware', { recalibrateImu: true });
    expect(report.peripherals.map((p) => `${p.id}:${p.ok}`)).toEqual(['imu:true', 'gps:true', 'leds:true', 'display:true', 'audio:false']);
    expect(report.ok).toBe(false);
    expect(report.imu).toMatchObject({ result: 'stored', previous: null });
    expect(JSON.parse(readFileSync(join(layout.calibrationDir, 'imu-bias.json'), 'utf8'))).toMatchObject({ previous: null });
    writeFileSync(join(root, 'hardware', 'imu', 'motion.json'), '{"moving":true}');
    expect((await first.client.call('reset.hardware', { recalibrateImu: true })).imu.result).toBe('refused-moving');
  }, 60_000);
});
