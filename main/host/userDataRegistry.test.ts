import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import type { Scope } from '../../src/api/contract.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import {
  USER_DATA_CLASSES,
  classOfPath,
  classesErasedBy,
  resolveUserDataClass,
  userDataRootsOf,
  type UserDataRoots,
} from '../services/userData/userDataClasses.js';
import { createHeadset } from './composition.js';

const build = { version: '1.0.0', commit: 'abc', builtAt: '2026-01-01T00:00:00Z' };
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name));
}

function simulatedRoots(root: string): UserDataRoots {
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

describe('the user data registry', () => {
  it('declares every file the services write on the data partition', async () => {
    const root = mkdtempSync(join(tmpdir(), 'userdata-'));
    roots.push(root);
    // On a circuit, fast-forwarded, with a hot GPS: a session and a learned track within seconds.
    const drive = new SimulatedDeviceLayout(root);
    mkdirSync(join(root, 'gps'), { recursive: true });
    writeFileSync(drive.gpsBackup, JSON.stringify({ lastFixAt: Date.now() - 60_000 }));
    writeFileSync(drive.gpsDrive, JSON.stringify({ circuit: 'kestrel-ring', laps: 2, timeScale: 100, rateHz: 5 }));
    const headset = await createHeadset({ device: 'simulated', root, build, healthIntervalMs: 200 });
    const [a, b] = createMemoryPortPair();
    headset.router.connect(b, { label: 'test', scopes: new Set<Scope>(['status', 'user', 'recovery', 'unlocked']) });
    const client = new ApiClient(a);
    // What a wearer does on a first day: setup, privacy choices, a PIN, settings, usage; the UI logs and crashes.
    await client.call('privacy.set', { policyVersion: (await client.call('privacy.get')).policyVersion, granted: { usage: true } });
    await client.call('usage.record', { event: 'ui.feature_use', name: 'settings' });
    await client.call('lock.set', { pin: '2468' });
    await client.call('update.settings', { allowMetered: true });
    await client.call('setup.complete');
    await client.call('logs.write', {
      process: 'renderer',
      entries: [{ level: 'error', msg: 'page failed', crash: { name: 'TypeError', message: 'x is undefined' } }],
    });
    await client.call('update.check').catch(() => undefined);
    // A backup to the headset's own place (restic) fills the backup work folder: catalog, verification key, cache.
    await client.call('backup.run', { destination: 'local', passphrase: 'correct horse battery staple' });
    await new Promise((resolve) => setTimeout(resolve, 600));
    for (let i = 0; i < 100 && (await client.call('tracks.list')).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 200));
    await headset.close();

    const layout = new SimulatedDeviceLayout(root);
    const classRoots = simulatedRoots(root);
    const files = filesUnder(layout.dataDir);
    expect(files.length).toBeGreaterThan(5);
    const undeclared = files.filter((file) => !classOfPath(file, classRoots));
    expect(undeclared).toEqual([]);
    // The exercise reached the classes it meant to.
    const reached = new Set(files.map((file) => classOfPath(file, classRoots)!.id));
    for (const id of ['pin', 'privacy', 'profile', 'setup', 'logs', 'telemetry', 'system-records', 'backups', 'backup-state', 'tracks', 'sessions'])
      expect(reached).toContain(id);
  }, 60_000);

  it('finds a stray file no class declares', () => {
    const root = mkdtempSync(join(tmpdir(), 'userdata-'));
    roots.push(root);
    const classRoots = simulatedRoots(root);
    mkdirSync(join(classRoots.data, 'stray'), { recursive: true });
    writeFileSync(join(classRoots.data, 'stray', 'notes.txt'), 'x');
    expect(classOfPath(join(classRoots.data, 'stray', 'notes.txt'), classRoots)).toBeUndefined();
    expect(classOfPath(join(classRoots.data, 'network', 'home.nmconnection'), classRoots)?.id).toBe('networks');
    expect(classOfPath(join(classRoots.data, 'keys', 'apps.key'), classRoots)?.id).toBe('apps');
    expect(classOfPath(join(classRoots.state, 'lock.json'), classRoots)?.id).toBe('pin');
    // Backup's work folder and remote support's files, written by services the exercise above does not always reach.
    expect(classOfPath(join(classRoots.state, 'backup', 'keys', 'local.key'), classRoots)?.id).toBe('backup-state');
    expect(classOfPath(join(classRoots.state, 'backup', 'cache', 'x'), classRoots)?.id).toBe('backup-state');
    expect(classOfPath(join(classRoots.state, 'support-relay.json'), classRoots)?.id).toBe('system-records');
    expect(classOfPath(join(classRoots.state, 'support-session.json'), classRoots)?.id).toBe('system-records');
    // A folder's own name is covered, a sibling with the same prefix is not.
    expect(classOfPath(join(classRoots.data, 'networkx'), classRoots)).toBeUndefined();
  });

  it('never lets a reset erase calibration, and only decommissioning erases identity', () => {
    const ids = (scope: Parameters<typeof classesErasedBy>[0]) => classesErasedBy(scope).map((c) => c.id);
    for (const scope of ['everything', 'networks', 'wearer', 'logs', 'backups', 'decommission'] as const)
      expect(ids(scope)).not.toContain('calibration');
    for (const scope of ['everything', 'networks', 'wearer', 'logs', 'backups'] as const) expect(ids(scope)).not.toContain('identity');
    expect(ids('decommission')).toContain('identity');
    expect(ids('networks')).toEqual(['networks', 'update-snapshots']);
  });

  it('has unique ids, plain titles, and paths that stay under their roots', () => {
    const ids = USER_DATA_CLASSES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const classRoots = simulatedRoots('/headset');
    for (const cls of USER_DATA_CLASSES) {
      expect(cls.title).toMatch(/^[A-Z][^_]*$/);
      for (const location of resolveUserDataClass(cls, classRoots)) expect(location.path.startsWith('/headset/')).toBe(true);
      // No two classes claim the same path.
      for (const other of USER_DATA_CLASSES) {
        if (other === cls) continue;
        for (const location of resolveUserDataClass(cls, classRoots)) expect(classOfPath(location.path, classRoots)?.id).toBe(cls.id);
      }
    }
  });
});
