import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CutSwitch, PowerCut } from '../../test-support/host/powerCutRig.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { ConfigurationReset, configurationAtDefaults, type ConfigurationResetChoices } from '../services/reset/ConfigurationReset.js';
import { ConfigurationResetJournal, ConfigurationResetTransaction } from '../services/reset/ConfigurationResetTransaction.js';
import { fsyncDirectory } from '../services/storage/atomicFile.js';
import { systemFileSync, useFileSync } from '../services/storage/fileSync.js';
import { ClassKeys } from '../services/userData/ClassKeys.js';
import { EncryptedClassFiles } from '../services/userData/EncryptedClassFiles.js';
import { SecureWipe } from '../services/userData/SecureWipe.js';
import { userDataClass, userDataRootsOf, type UserDataRoots } from '../services/userData/userDataClasses.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function headsetRoots(root: string): UserDataRoots {
  const layout = new SimulatedDeviceLayout(root);
  return userDataRootsOf({
    dataPartition: layout.dataDir,
    persistPartition: layout.persistDir,
    stateDir: layout.stateDir,
    logDir: join(layout.dataDir, 'logs'),
    crashesDir: join(layout.dataDir, 'crashes'),
    minidumpDir: layout.crashDumpsDir,
  });
}

const CHANGED_SETTINGS = '{"bandwidthLimitBytesPerSecond":1000,"allowMetered":true,"checkIntervalHours":24}';

/** A headset whose wearer changed the settings, set a PIN, filled a profile (encrypted) and saved two networks. */
async function configuredHeadset(): Promise<{ root: string; pinCanary: string; profileCanary: string }> {
  const root = mkdtempSync(join(tmpdir(), 'configure-cut-'));
  roots.push(root);
  const r = headsetRoots(root);
  mkdirSync(r.state, { recursive: true });
  const pinCanary = `CANARY-pin-${randomBytes(6).toString('hex')}`;
  const profileCanary = `CANARY-profile-${randomBytes(6).toString('hex')}`;
  writeFileSync(join(r.state, 'update-settings.json'), CHANGED_SETTINGS);
  writeFileSync(join(r.state, 'alerts-dismissed.json'), '["battery-low"]');
  writeFileSync(join(r.state, 'privacy-consent.json'), '{"granted":{"usage":true}}');
  writeFileSync(join(r.state, 'update-config.json'), '{"server":"https://updates.example"}');
  writeFileSync(join(r.state, 'lock.json'), JSON.stringify({ hash: pinCanary }));
  await new EncryptedClassFiles(r, new ClassKeys(r)).write('profile', join(r.data, 'profile', 'me.json'), Buffer.from(profileCanary));
  mkdirSync(join(r.data, 'network'), { recursive: true });
  for (const name of ['home.nmconnection', 'office.nmconnection']) writeFileSync(join(r.data, 'network', name), `psk=${name}`);
  for (const [dir, file, text] of [
    ['calibration', 'imu.json', '{"bias":[0.01,-0.02,0.003]}'],
    ['identity', 'device.key', 'IDENTITY-KEY'],
  ] as const) {
    mkdirSync(join(r.persist, dir), { recursive: true });
    writeFileSync(join(r.persist, dir, file), text);
  }
  return { root, pinCanary, profileCanary };
}

/** The network capability's reset as a stack of saved-profile files: each forgotten (unlinked, folder synced). Idempotent. */
function networkOf(r: UserDataRoots) {
  const dir = join(r.data, 'network');
  return {
    async resetToDefaults() {
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) await unlink(join(dir, name));
      if (names.length > 0) await fsyncDirectory(dir);
      return { forgotten: names.length };
    },
  };
}

function transaction(root: string, events: string[], logged: Array<Record<string, unknown>>) {
  const r = headsetRoots(root);
  const wipe = new SecureWipe(r, new ClassKeys(r));
  const reset = new ConfigurationReset({
    stateDir: r.state,
    calibrationDir: join(r.persist, 'calibration'),
    eraseClasses: async (ids) => {
      const classes = ids.map((id) => userDataClass(id));
      await wipe.destroyKeys(classes);
      await wipe.erase(classes);
    },
    network: networkOf(r),
    log: { info: (message, fields) => void logged.push({ message, ...fields }) },
  });
  return new ConfigurationResetTransaction({
    reset,
    journal: new ConfigurationResetJournal(join(r.persist, 'reset')),
    quiesce: async () => void events.push('quiesce'),
    restart: async () => void events.push('restart'),
    log: { info: () => undefined, error: () => undefined },
  });
}

/** Every fsync a seam: the cut before event `cutAt` (none: counts them). */
async function configureWithCut(root: string, choices: ConfigurationResetChoices, cutAt?: number) {
  const cut = new CutSwitch(cutAt);
  const restore = useFileSync({
    async syncFile(handle, path, options) {
      cut.sync();
      await systemFileSync.syncFile(handle, path, options);
    },
    async syncDirectory(dir) {
      cut.sync();
      await systemFileSync.syncDirectory(dir);
    },
  });
  const events: string[] = [];
  const logged: Array<Record<string, unknown>> = [];
  try {
    await transaction(root, events, logged).begin(choices);
    // The capability restarts once the answer is out: the next power-on is that restart.
    return { events: cut.events, cut: false, order: events, logged };
  } catch (error) {
    if (!(error instanceof PowerCut)) throw error;
    return { events: cut.events, cut: true, order: events, logged };
  } finally {
    restore();
  }
}

/** Powers on until a start ends in no restart: each start resumes what the journal says. */
async function powerOnUntilSettled(root: string): Promise<{ order: string[]; logged: Array<Record<string, unknown>> }> {
  const order: string[] = [];
  const logged: Array<Record<string, unknown>> = [];
  for (let start = 0; start < 3; start++) {
    const events: string[] = [];
    await (
      await transaction(root, events, logged).resume()
    ).done;
    order.push(...events, 'start done');
    if (!events.includes('restart')) return { order, logged };
  }
  throw new Error(
    `the configuration reset kept restarting: ${readFileSync(new ConfigurationResetJournal(join(headsetRoots(root).persist, 'reset')).path, 'utf8')}`,
  );
}

function found(root: string, needle: string): number {
  let count = 0;
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) count += readFileSync(join(entry.parentPath, entry.name)).includes(needle) ? 1 : 0;
  return count;
}

function hashOf(dir: string): string {
  const hash = createHash('sha256');
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()))
    hash.update(entry.name).update(readFileSync(join(entry.parentPath, entry.name)));
  return hash.digest('hex');
}

describe('the configuration reset under power cuts', () => {
  const cases: Array<[string, ConfigurationResetChoices]> = [
    ['PIN and accounts removed', { keepPin: false, keepAccounts: false }],
    ['PIN and accounts kept', { keepPin: true, keepAccounts: true }],
  ];
  for (const [name, choices] of cases) {
    it(`${name}: a cut before every fsync leaves the old configuration or the defaults, never half of each; calibration and identity intact`, async () => {
      const template = await configuredHeadset();
      const whole = await configureWithCut(template.root, choices);
      expect(whole.cut).toBe(false);
      expect(whole.order).toEqual(['quiesce']);
      expect(whole.logged).toEqual([expect.objectContaining({ message: 'configuration reset', calibrationUnchanged: true })]);
      expect(whole.events).toBeGreaterThan(6);
      const outcomes = { untouched: 0, reset: 0, resumed: 0 };
      for (let cutAt = 0; cutAt < whole.events; cutAt++) {
        const { root, pinCanary, profileCanary } = await configuredHeadset();
        const r = headsetRoots(root);
        const context = `${name}, cut before fsync ${cutAt}`;
        const calibration = hashOf(join(r.persist, 'calibration'));
        const identity = hashOf(join(r.persist, 'identity'));
        const before = { all: hashOf(root), data: hashOf(r.data), state: hashOf(r.state) };
        const outcome = await configureWithCut(root, choices, cutAt);
        expect(outcome.cut, context).toBe(true);
        if (hashOf(r.data) !== before.data || hashOf(r.state) !== before.state)
          expect(outcome.order, `${context}: the services stopped before the first step touched anything`).toEqual(['quiesce']);
        const journalDurable = existsSync(new ConfigurationResetJournal(join(r.persist, 'reset')).path);
        const settled = await powerOnUntilSettled(root);

        expect(existsSync(new ConfigurationResetJournal(join(r.persist, 'reset')).path), `${context}: journal left`).toBe(false);
        expect(hashOf(join(r.persist, 'calibration')), context).toBe(calibration);
        expect(hashOf(join(r.persist, 'identity')), context).toBe(identity);
        expect(readFileSync(join(r.state, 'update-config.json'), 'utf8'), `${context}: the operator's server kept`).toContain('updates.example');
        if (!journalDurable) {
          outcomes.untouched++;
          expect(hashOf(root), `${context}: untouched`).toBe(before.all);
          expect(settled.order, context).toEqual(['start done']);
          continue;
        }
        if (settled.order[0] === 'quiesce') {
          // Resumed: the services stopped again before the steps left, then the restart.
          outcomes.resumed++;
          expect(settled.order, context).toEqual(['quiesce', 'restart', 'start done', 'start done']);
          expect(settled.logged, context).toEqual([expect.objectContaining({ message: 'configuration reset', calibrationUnchanged: true })]);
        } else outcomes.reset++;
        expect(await configurationAtDefaults(r.state), context).toMatchObject({ passed: true });
        expect(readdirSync(join(r.data, 'network')), `${context}: saved networks`).toEqual([]);
        expect(found(root, pinCanary), `${context}: the PIN`).toBe(choices.keepPin ? 1 : 0);
        const profileKey = await new ClassKeys(r).get('profile');
        if (choices.keepAccounts) {
          const profile = await new EncryptedClassFiles(r, new ClassKeys(r)).read('profile', join(r.data, 'profile', 'me.json'));
          expect(profile?.toString(), `${context}: the profile`).toBe(profileCanary);
        } else {
          expect(profileKey, `${context}: the profile's key`).toBeNull();
          expect(readdirSync(join(r.data, 'profile')), `${context}: the profile`).toEqual([]);
        }
      }
      // The matrix reached each outcome: cuts before the commit point, after it (resumed), and none needed.
      expect(outcomes.untouched, JSON.stringify(outcomes)).toBeGreaterThan(0);
      expect(outcomes.resumed, JSON.stringify(outcomes)).toBeGreaterThan(0);
    }, 120_000);
  }
});
