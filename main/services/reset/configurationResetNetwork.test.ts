import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/api/errors.js';
import { ConfigurationReset, type NetworkSettingsReset } from './ConfigurationReset.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function reset(network: NetworkSettingsReset, log: Array<Record<string, unknown>>) {
  const root = mkdtempSync(join(tmpdir(), 'config-reset-network-'));
  dirs.push(root);
  mkdirSync(join(root, 'state'));
  mkdirSync(join(root, 'calibration'));
  return new ConfigurationReset({
    stateDir: join(root, 'state'),
    calibrationDir: join(root, 'calibration'),
    eraseClasses: async () => undefined,
    network,
    log: { info: (message, fields) => void log.push({ message, ...fields }) },
  });
}

describe('the configuration reset’s network part', () => {
  it('reports what the network capability forgot and kept; asks it to stay quiet only inside a wipe', async () => {
    const asked: Array<{ quiet?: boolean } | undefined> = [];
    const log: Array<Record<string, unknown>> = [];
    const config = reset({ resetToDefaults: async (options) => (asked.push(options), { forgotten: 3, kept: 1 }) }, log);
    expect((await config.run({ keepPin: true, keepAccounts: true })).network).toEqual({ result: 'reset', forgotten: 3, kept: 1 });
    expect((await config.run({ keepPin: true, keepAccounts: true }, () => false, false)).network).toEqual({ result: 'reset', forgotten: 3, kept: 1 });
    expect(asked).toEqual([{ quiet: false }, { quiet: true }]);
    expect(log.map((l) => l.network)).toEqual(['reset']);
  });

  it('a network stack that fails is reported with its code, and the rest of the reset stands', async () => {
    const log: Array<Record<string, unknown>> = [];
    const config = reset(
      {
        resetToDefaults: async () => {
          throw new AppError('NETWORK_TOOL_MISSING');
        },
      },
      log,
    );
    const report = await config.run({ keepPin: true, keepAccounts: true });
    expect(report.network).toEqual({ result: 'failed', code: 'NETWORK_TOOL_MISSING' });
    expect(report.calibration.unchanged).toBe(true);
    expect(log).toContainEqual(
      expect.objectContaining({ message: 'configuration reset: the network settings could not be reset', code: 'NETWORK_TOOL_MISSING' }),
    );
    // Inside a wipe: reported the same, and no log line.
    const quietLog: Array<Record<string, unknown>> = [];
    const quiet = reset({ resetToDefaults: async () => Promise.reject(new Error('boom')) }, quietLog);
    expect((await quiet.run({ keepPin: true, keepAccounts: true }, () => false, false)).network).toEqual({ result: 'failed', code: 'INTERNAL' });
    expect(quietLog).toEqual([]);
  });
});
