import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sodium from 'sodium-native';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ResetJournal } from '../reset/ResetJournal.js';
import { ResetTransaction } from '../reset/ResetTransaction.js';
import { ClassKeys } from './ClassKeys.js';
import { CRASH_DATABASE_ERASE_UNIT, allDeviceErases, crashDatabaseErase, type DeviceErase } from './CrashDatabaseErase.js';
import { SanitizationRecords, verifySanitizationRecord } from './SanitizationRecords.js';
import { SecureWipe } from './SecureWipe.js';
import { userDataRootsOf } from './userDataClasses.js';

/** The linux wipe's erasure of the UI's Crashpad database, through the fake systemctl running the shipped unit's ExecStart. */
const FAKE = join(import.meta.dirname, '..', '..', '..', 'test-support', 'support', 'fake-systemctl');
const scratch = mkdtempSync(join(tmpdir(), 'crash-database-erase-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let database: string;
let calls: string;
let outside: string;
beforeEach(() => {
  const dir = mkdtempSync(join(scratch, 'case-'));
  database = join(dir, 'crashdumps');
  calls = join(dir, 'systemctl.calls');
  outside = join(dir, 'not-the-ui.txt');
  process.env.FAKE_CRASHPAD_DATABASE = database;
  process.env.FAKE_SYSTEMCTL_CALLS = calls;
});

/** What Crashpad keeps: its settings with the client id, reports in each state, an attachment, and a link out of it. */
function crashpadDatabase(): void {
  for (const sub of ['new', 'pending', 'completed', 'attachments/c0ffee']) mkdirSync(join(database, sub), { recursive: true });
  writeFileSync(join(database, 'settings.dat'), Buffer.from('client id 6b1f0c2e-5a7d-4e0b-9c1a-2f3e4d5c6b7a'));
  writeFileSync(join(database, 'new', 'a.dmp'), 'MDMP in progress');
  writeFileSync(join(database, 'pending', 'b.dmp'), 'MDMP pending');
  writeFileSync(join(database, 'pending', 'b.meta'), 'meta');
  writeFileSync(join(database, 'completed', 'c.dmp'), 'MDMP finished, not yet handed over');
  writeFileSync(join(database, 'attachments', 'c0ffee', 'log.txt'), 'the wearer did this');
  writeFileSync(outside, 'someone else');
  symlinkSync(outside, join(database, 'completed', 'link.dmp'));
}

describe('crashDatabaseErase (headset-crashdumps-erase.service through systemctl)', () => {
  it('a factory reset empties the database: every file and folder under it gone, the folder kept, a link removed and not followed', async () => {
    crashpadDatabase();
    const checks = await crashDatabaseErase({ systemctlPath: FAKE })('everything');
    expect(checks).toEqual([{ name: "the UI's crash database erased", passed: true, detail: expect.stringContaining(CRASH_DATABASE_ERASE_UNIT) }]);
    expect(readdirSync(database)).toEqual([]);
    expect(readFileSync(outside, 'utf8')).toBe('someone else');
    expect(readFileSync(calls, 'utf8')).toBe(`start ${CRASH_DATABASE_ERASE_UNIT}\n`);
  });

  it('runs for every scope that erases the logs class, and only those', async () => {
    const erase = crashDatabaseErase({ systemctlPath: FAKE });
    for (const scope of ['networks', 'wearer', 'backups'] as const) {
      crashpadDatabase();
      expect(await erase(scope)).toEqual([]);
      expect(existsSync(join(database, 'settings.dat'))).toBe(true);
      rmSync(database, { recursive: true, force: true });
      rmSync(outside, { force: true });
    }
    expect(existsSync(calls)).toBe(false);
    for (const scope of ['logs', 'decommission'] as const) {
      crashpadDatabase();
      expect((await erase(scope))[0]?.passed).toBe(true);
      expect(readdirSync(database)).toEqual([]);
      rmSync(outside, { force: true });
    }
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('again after a power cut, or with no database yet: nothing to do, passed', async () => {
    const erase = crashDatabaseErase({ systemctlPath: FAKE });
    expect((await erase('everything'))[0]?.passed).toBe(true);
    mkdirSync(database);
    expect((await erase('everything'))[0]?.passed).toBe(true);
    expect(existsSync(database)).toBe(true);
  });

  it('a unit that fails (or a systemctl that is not there) is a failed check with its words, never a pass', async () => {
    const failing = join(scratch, 'failing-systemctl');
    writeFileSync(
      failing,
      `#!/bin/sh\necho "Job for ${CRASH_DATABASE_ERASE_UNIT} failed because the control process exited with error code." >&2\nexit 1\n`,
    );
    chmodSync(failing, 0o755);
    expect(await crashDatabaseErase({ systemctlPath: failing })('everything')).toEqual([
      { name: "the UI's crash database erased", passed: false, detail: expect.stringContaining('failed because the control process exited') },
    ]);
    const absent = await crashDatabaseErase({ systemctlPath: join(scratch, 'no-systemctl') })('logs');
    expect(absent[0]).toMatchObject({ passed: false, detail: expect.stringContaining('ENOENT') });
  });
});

describe('allDeviceErases', () => {
  it("runs the profile's erasures in order, their checks in that order", async () => {
    const order: string[] = [];
    const step = (name: string) => async () => {
      order.push(name);
      return [{ name, passed: true, detail: '' }];
    };
    expect((await allDeviceErases(step('crash database'), step('keyslots'))('everything')).map((c) => c.name)).toEqual([
      'crash database',
      'keyslots',
    ]);
    expect(order).toEqual(['crash database', 'keyslots']);
  });
});

describe("the wipe's path: the reset transaction with the linux erasure of the crash database", () => {
  /** A logs wipe on a headset folder with the crash database beside it; the signed record it leaves. */
  async function wipeLogs(deviceErase: DeviceErase) {
    const root = mkdtempSync(join(scratch, 'headset-'));
    const roots = userDataRootsOf({
      dataPartition: join(root, 'data'),
      persistPartition: join(root, 'persist'),
      stateDir: join(root, 'data', 'state'),
      logDir: join(root, 'log'),
      crashesDir: join(root, 'data', 'state', 'crashes'),
      minidumpDir: join(root, 'ui', 'crashdumps-shared'),
    });
    for (const dir of Object.values(roots)) mkdirSync(dir, { recursive: true });
    writeFileSync(join(roots.logs, 'headset.log'), 'a log line');
    const keys = new ClassKeys(roots);
    const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
    const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
    sodium.crypto_sign_keypair(publicKey, secretKey);
    const records = new SanitizationRecords(join(roots.persist, 'reset', 'records'));
    const tx = new ResetTransaction({
      roots,
      wipe: new SecureWipe(roots, keys),
      journal: new ResetJournal(join(roots.persist, 'reset')),
      records,
      identity: {
        deviceId: 'hs-test',
        publicKey: publicKey.toString('base64'),
        model: 'test',
        sign: (message) => {
          const signature = Buffer.alloc(sodium.crypto_sign_BYTES);
          sodium.crypto_sign_detached(signature, Buffer.from(message), secretKey);
          return signature;
        },
      },
      software: { appVersion: '1.0.0', commit: 'abc' },
      deviceErase,
      restart: async () => undefined,
    });
    await (
      await tx.begin('logs')
    ).done;
    const [path] = await records.list();
    const check = verifySanitizationRecord(readFileSync(path!, 'utf8'), publicKey.toString('base64'));
    if (!check.ok) throw new Error(check.message);
    return { record: check.record, roots };
  }

  it('a logs wipe empties the database through the unit, and the signed record says so', async () => {
    crashpadDatabase();
    const { record, roots } = await wipeLogs(crashDatabaseErase({ systemctlPath: FAKE }));
    expect(readdirSync(database)).toEqual([]);
    expect(readdirSync(roots.logs)).toEqual([]);
    expect(record.checks).toContainEqual(expect.objectContaining({ name: "the UI's crash database erased", passed: true }));
    expect(record.verification).toBe('passed');
  });

  it('a unit that fails makes the record failed, not passed', async () => {
    crashpadDatabase();
    const failing = join(scratch, 'failing-systemctl-2');
    writeFileSync(failing, '#!/bin/sh\necho "Job failed." >&2\nexit 1\n');
    chmodSync(failing, 0o755);
    const { record } = await wipeLogs(crashDatabaseErase({ systemctlPath: failing }));
    expect(record.checks).toContainEqual({ name: "the UI's crash database erased", passed: false, detail: expect.stringContaining('Job failed.') });
    expect(record.verification).not.toBe('passed');
    expect(existsSync(join(database, 'settings.dat'))).toBe(true);
  });
});
