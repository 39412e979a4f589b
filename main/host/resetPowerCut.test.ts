import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sodium from 'sodium-native';
import { afterEach, describe, expect, it } from 'vitest';
import { CutSwitch, PowerCut } from '../../test-support/host/powerCutRig.js';
import type { WipeScope } from '../../src/reset/wipeScopes.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { systemFileSync, useFileSync } from '../services/storage/fileSync.js';
import { ClassKeys } from '../services/userData/ClassKeys.js';
import { EncryptedClassFiles } from '../services/userData/EncryptedClassFiles.js';
import { SanitizationRecords, verifySanitizationRecord } from '../services/userData/SanitizationRecords.js';
import { SecureWipe } from '../services/userData/SecureWipe.js';
import { ENCRYPTED_LOCATIONS } from '../services/userData/atRest.js';
import {
  USER_DATA_CLASSES,
  classesErasedBy,
  resolveUserDataClass,
  userDataRootsOf,
  type UserDataRoots,
} from '../services/userData/userDataClasses.js';
import { ResetJournal } from '../services/reset/ResetJournal.js';
import { ResetTransaction } from '../services/reset/ResetTransaction.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
sodium.crypto_sign_keypair(publicKey, secretKey);
const identity = {
  deviceId: 'dev-1',
  model: 'HC-1-simulated',
  publicKey: publicKey.toString('base64'),
  sign(message: Uint8Array) {
    const signature = Buffer.alloc(sodium.crypto_sign_BYTES);
    sodium.crypto_sign_detached(signature, Buffer.from(message), secretKey);
    return signature;
  },
};

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

/** A headset with a canary in every class (encrypted where the headset encrypts). */
async function plantedHeadset(): Promise<{ root: string; canaries: Map<string, string> }> {
  const root = mkdtempSync(join(tmpdir(), 'reset-cut-'));
  roots.push(root);
  const classRoots = headsetRoots(root);
  const files = new EncryptedClassFiles(classRoots, new ClassKeys(classRoots));
  const canaries = new Map<string, string>();
  for (const cls of USER_DATA_CLASSES) {
    const canary = `CANARY-${cls.id}-${randomBytes(6).toString('hex')}`;
    canaries.set(cls.id, canary);
    for (const [index, location] of resolveUserDataClass(cls, classRoots).entries()) {
      const target = location.folder ? join(location.path, `c${index}.dat`) : location.path;
      const encrypted =
        cls.locations[index]!.in === 'data' && ENCRYPTED_LOCATIONS.some((e) => e.classId === cls.id && e.path === cls.locations[index]!.path);
      if (encrypted) await files.write(cls.id as never, target, Buffer.from(canary));
      else {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, canary);
      }
    }
  }
  return { root, canaries };
}

function transaction(root: string, onRestart: () => void) {
  const classRoots = headsetRoots(root);
  const records = new SanitizationRecords(join(classRoots.persist, 'reset', 'records'));
  const tx = new ResetTransaction({
    roots: classRoots,
    wipe: new SecureWipe(classRoots, new ClassKeys(classRoots)),
    journal: new ResetJournal(join(classRoots.persist, 'reset')),
    records,
    identity,
    software: { appVersion: '1.0.0', commit: 'abc' },
    restart: async () => onRestart(),
  });
  return { tx, records, classRoots };
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

/** Runs a reset of `scope`, the power cut before persistent event `cutAt` (none: counts them). */
async function resetWithCut(root: string, scope: WipeScope, cutAt?: number): Promise<{ events: number; cut: boolean }> {
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
  try {
    const { tx } = transaction(root, () => undefined);
    const { done } = await tx.begin(scope);
    await done;
    return { events: cut.events, cut: false };
  } catch (error) {
    if (!(error instanceof PowerCut)) throw error;
    return { events: cut.events, cut: true };
  } finally {
    restore();
  }
}

/** After the cut: power on (resume), and once more if that start ended in the reset's restart. */
async function powerOnUntilSettled(root: string): Promise<void> {
  for (let start = 0; start < 3; start++) {
    let restarted = false;
    const { tx } = transaction(root, () => (restarted = true));
    await (
      await tx.resume()
    ).done;
    if (!restarted) return;
  }
  throw new Error(
    `the reset kept restarting: ${JSON.stringify(await new ResetJournal(join(headsetRoots(root).persist, 'reset')).read())?.slice(0, 300)}`,
  );
}

describe('the reset transaction under power cuts', () => {
  for (const scope of ['everything', 'wearer', 'decommission'] as const) {
    it(`"${scope}": a cut before every persistent step leaves the headset untouched or fully reset, calibration intact, identity too but for decommissioning (erased after its signed record)`, async () => {
      const template = await plantedHeadset();
      const { events } = await resetWithCut(template.root, scope);
      expect(events).toBeGreaterThan(10);
      const erased = new Set(classesErasedBy(scope).map((c) => c.id));
      for (let cutAt = 0; cutAt < events; cutAt++) {
        const { root, canaries } = await plantedHeadset();
        const classRoots = headsetRoots(root);
        const calibration = hashOf(join(classRoots.persist, 'calibration'));
        const identityFiles = hashOf(join(classRoots.persist, 'identity'));
        const outcome = await resetWithCut(root, scope, cutAt);
        expect(outcome.cut, `cut ${cutAt}`).toBe(true);
        await powerOnUntilSettled(root);

        const { records } = transaction(root, () => undefined);
        const latest = await records.latest();
        const context = `${scope}, cut before event ${cutAt}`;
        const plaintextSomewhere = (id: string) =>
          USER_DATA_CLASSES.find((c) => c.id === id)!.locations.some((l) => !ENCRYPTED_LOCATIONS.some((e) => e.classId === id && e.path === l.path));
        const readable = async (classId: string) => {
          const files = new EncryptedClassFiles(classRoots, new ClassKeys(classRoots));
          const folder = join(classRoots.data, ENCRYPTED_LOCATIONS.find((e) => e.classId === classId)!.path);
          const name = readdirSync(folder)[0];
          return name !== undefined && (await files.read(classId as never, join(folder, name)))?.toString() === canaries.get(classId);
        };
        if (latest === null) {
          // Untouched: the cut came before the journal was durable, so nothing was erased.
          for (const cls of USER_DATA_CLASSES)
            if (plaintextSomewhere(cls.id)) expect(found(root, canaries.get(cls.id)!), `${context}: ${cls.id}`).toBeGreaterThan(0);
          for (const { classId } of ENCRYPTED_LOCATIONS) expect(await readable(classId), `${context}: ${classId}`).toBe(true);
        } else {
          for (const cls of USER_DATA_CLASSES)
            if (erased.has(cls.id)) expect(found(root, canaries.get(cls.id)!), `${context}: ${cls.id}`).toBe(0);
            else if (plaintextSomewhere(cls.id) && cls.id !== 'reset-records')
              expect(found(root, canaries.get(cls.id)!), `${context}: ${cls.id}`).toBeGreaterThan(0);
          for (const { classId } of ENCRYPTED_LOCATIONS)
            if (erased.has(classId)) expect(await new ClassKeys(classRoots).get(classId), `${context}: ${classId}`).toBeNull();
            else expect(await readable(classId), `${context}: ${classId}`).toBe(true);
          expect(latest.record.verification, context).toBe('passed');
          const check = verifySanitizationRecord(JSON.stringify(latest), identity.publicKey);
          expect(check.ok, context).toBe(true);
        }
        expect(await new ResetJournal(join(classRoots.persist, 'reset')).read(), context).toBeUndefined();
        expect(hashOf(join(classRoots.persist, 'calibration')), context).toBe(calibration);
        // Decommissioning erases the identity last, once the record is signed with it (checked above); every other scope keeps it.
        if (scope === 'decommission' && latest !== null) expect(found(root, canaries.get('identity')!), context).toBe(0);
        else expect(hashOf(join(classRoots.persist, 'identity')), context).toBe(identityFiles);
        rmSync(root, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
