import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sodium from 'sodium-native';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { ResetJournal } from '../services/reset/ResetJournal.js';
import { ResetTransaction } from '../services/reset/ResetTransaction.js';
import { ClassKeys } from '../services/userData/ClassKeys.js';
import { SanitizationRecords } from '../services/userData/SanitizationRecords.js';
import { SecureWipe } from '../services/userData/SecureWipe.js';
import { userDataRootsOf } from '../services/userData/userDataClasses.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
sodium.crypto_sign_keypair(publicKey, secretKey);

/**
 * A service that keeps writing into an erased class while the wipe runs (the GPS saves its last fix,
 * found in CI under load: "location erased: 1 files left") leaves a file the verification finds.
 * The transaction stops such services first, as a reset in recovery runs with nothing else up.
 */
describe('the reset transaction stops the services that write user data before it erases', () => {
  it('a writer saving the GPS fix every millisecond until stopped leaves nothing: verification passes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'reset-quiesce-'));
    roots.push(root);
    const layout = new SimulatedDeviceLayout(root);
    const classRoots = userDataRootsOf({
      dataPartition: layout.dataDir,
      persistPartition: layout.persistDir,
      stateDir: layout.stateDir,
      logDir: join(layout.dataDir, 'logs'),
      crashesDir: join(layout.dataDir, 'crashes'),
      minidumpDir: layout.crashDumpsDir,
    });
    const gpsFile = join(classRoots.state, 'gps.json');
    mkdirSync(classRoots.state, { recursive: true });
    const save = () => writeFileSync(gpsFile, `{"lastFixAt":${Date.now()}}\n`);
    save();
    const writer = setInterval(save, 1);
    const order: string[] = [];
    const wipe = new SecureWipe(classRoots, new ClassKeys(classRoots));
    const destroyKeys = wipe.destroyKeys.bind(wipe);
    wipe.destroyKeys = async (classes) => {
      order.push('destroy-keys');
      return destroyKeys(classes);
    };
    const tx = new ResetTransaction({
      roots: classRoots,
      wipe,
      journal: new ResetJournal(join(classRoots.persist, 'reset')),
      records: new SanitizationRecords(join(classRoots.persist, 'reset', 'records')),
      identity: {
        deviceId: 'dev-1',
        model: 'HC-1-simulated',
        publicKey: publicKey.toString('base64'),
        sign(message) {
          const signature = Buffer.alloc(sodium.crypto_sign_BYTES);
          sodium.crypto_sign_detached(signature, Buffer.from(message), secretKey);
          return signature;
        },
      },
      software: { appVersion: '1.0.0', commit: 'abc' },
      quiesce: async () => {
        clearInterval(writer);
        save(); // the service's own stop saves once more, as GpsService.stop does while locked
        order.push('quiesced');
      },
      restart: async () => void order.push('restart'),
    });
    try {
      const { done } = await tx.begin('everything');
      await done;
    } finally {
      clearInterval(writer);
    }
    expect(order.slice(0, 2)).toEqual(['quiesced', 'destroy-keys']);
    expect(existsSync(gpsFile)).toBe(false);
    const latest = await new SanitizationRecords(join(classRoots.persist, 'reset', 'records')).latest();
    expect(latest!.record.checks.filter((c) => !c.passed)).toEqual([]);
    expect(latest!.record.verification).toBe('passed');
  });
});
