import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_UPDATE_SETTINGS } from '../update/UpdateStore.js';
import { ConfigurationReset, configurationAtDefaults, hashFolder } from './ConfigurationReset.js';
import { CONFIGURATION_DEFAULTS } from './configurationDefaults.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function headset() {
  const root = mkdtempSync(join(tmpdir(), 'config-reset-'));
  dirs.push(root);
  const stateDir = join(root, 'state');
  const calibrationDir = join(root, 'persist', 'calibration');
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(calibrationDir, { recursive: true });
  writeFileSync(join(calibrationDir, 'imu.json'), '{"bias":[0.01,-0.02,0.003]}');
  writeFileSync(join(stateDir, 'update-settings.json'), '{"bandwidthLimitBytesPerSecond":1000,"allowMetered":true,"checkIntervalHours":24}');
  writeFileSync(join(stateDir, 'alerts-dismissed.json'), '["battery-low"]');
  writeFileSync(join(stateDir, 'privacy-consent.json'), '{"granted":{"usage":true}}');
  writeFileSync(join(stateDir, 'update-config.json'), '{"server":"https://updates.example"}');
  const erased: string[][] = [];
  const log: Array<Record<string, unknown>> = [];
  return { stateDir, calibrationDir, erased, log, eraseClasses: async (ids: string[]) => void erased.push(ids) };
}

describe('configuration reset', () => {
  it('declares the update defaults the update service uses', () => {
    expect(CONFIGURATION_DEFAULTS.find((d) => d.id === 'update-settings')?.value).toEqual({ json: DEFAULT_UPDATE_SETTINGS });
  });

  it('restores the declared defaults, keeps the operator configuration, resets the network through its port, removes the PIN and accounts, and proves calibration unchanged', async () => {
    const h = headset();
    let networkResets = 0;
    const reset = new ConfigurationReset({
      stateDir: h.stateDir,
      calibrationDir: h.calibrationDir,
      eraseClasses: h.eraseClasses,
      network: { resetToDefaults: async () => ({ forgotten: ++networkResets * 2 }) },
      log: { info: (message, fields) => void h.log.push({ message, ...fields }) },
    });
    const calibration = await hashFolder(h.calibrationDir);
    expect(await configurationAtDefaults(h.stateDir)).toEqual({
      passed: false,
      detail: 'not at the default: update-settings, alerts-dismissed, privacy',
    });
    const report = await reset.run({ keepPin: false, keepAccounts: false });
    expect(JSON.parse(readFileSync(join(h.stateDir, 'update-settings.json'), 'utf8'))).toEqual(DEFAULT_UPDATE_SETTINGS);
    expect(existsSync(join(h.stateDir, 'alerts-dismissed.json'))).toBe(false);
    expect(existsSync(join(h.stateDir, 'privacy-consent.json'))).toBe(false);
    expect(readFileSync(join(h.stateDir, 'update-config.json'), 'utf8')).toContain('updates.example');
    expect((await configurationAtDefaults(h.stateDir)).passed).toBe(true);
    expect(h.erased).toEqual([['pin', 'profile']]);
    expect(report).toMatchObject({ pin: 'removed', accounts: 'removed', network: { result: 'reset', forgotten: 2 } });
    expect(report.calibration).toEqual({ before: calibration, after: calibration, unchanged: true });
    expect(calibration).toMatch(/^[0-9a-f]{64}$/);
    expect(h.log).toEqual([expect.objectContaining({ message: 'configuration reset', pin: 'removed', calibrationUnchanged: true })]);
    // Run again (a power cut after it): the same state.
    const again = await reset.run({ keepPin: false, keepAccounts: false });
    expect(again.restored).toEqual(report.restored);
  });

  it('keeps the PIN and accounts when chosen, says when the network could not be reset, and catches a calibration change', async () => {
    const h = headset();
    const reset = new ConfigurationReset({
      stateDir: h.stateDir,
      calibrationDir: h.calibrationDir,
      eraseClasses: async (ids) => {
        await h.eraseClasses(ids);
      },
      table: [
        ...CONFIGURATION_DEFAULTS,
        // A table entry that (wrongly) pointed into calibration would be caught by the hash.
        { id: 'bad', title: 'Bad', path: join('..', 'persist', 'calibration', 'imu.json'), value: { json: { bias: [0, 0, 0] } } },
      ],
    });
    const report = await reset.run({ keepPin: true, keepAccounts: true });
    expect(h.erased).toEqual([]);
    expect(report).toMatchObject({ pin: 'kept', accounts: 'kept', network: { result: 'not-available' } });
    expect(report.calibration.unchanged).toBe(false);
  });
});
