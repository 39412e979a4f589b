import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WIPE_SCOPES, type WipeScope } from '../../../src/reset/wipeScopes.js';
import { SimulatedDeviceLayout } from '../device/SimulatedDeviceLayout.js';
import { CipherError, decryptBuffer } from './ClassFileCipher.js';
import { ClassKeys } from './ClassKeys.js';
import { EncryptedClassFiles } from './EncryptedClassFiles.js';
import { SecureWipe } from './SecureWipe.js';
import { ENCRYPTED_LOCATIONS } from './atRest.js';
import {
  USER_DATA_CLASSES,
  classesErasedBy,
  resolveUserDataClass,
  userDataRootsOf,
  type UserDataClass,
  type UserDataClassId,
  type UserDataRoots,
} from './userDataClasses.js';

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

const isEncrypted = (cls: UserDataClass, location: { in: string; path: string }) =>
  location.in === 'data' && ENCRYPTED_LOCATIONS.some((e) => e.classId === cls.id && e.path === location.path);

/** Plants a unique canary in every location of every class: encrypted where the headset encrypts, plaintext elsewhere. */
async function plant(root: string) {
  const classRoots = headsetRoots(root);
  const keys = new ClassKeys(classRoots);
  const files = new EncryptedClassFiles(classRoots, keys);
  const canaries = new Map<UserDataClassId, string>();
  const ciphertexts: Array<{ classId: UserDataClassId; bytes: Buffer }> = [];
  for (const cls of USER_DATA_CLASSES) {
    const canary = `CANARY-${cls.id}-${randomBytes(8).toString('hex')}`;
    canaries.set(cls.id, canary);
    const resolved = resolveUserDataClass(cls, classRoots);
    for (const [index, location] of cls.locations.entries()) {
      const target = resolved[index]!.folder ? join(resolved[index]!.path, 'sub', `canary-${index}.dat`) : resolved[index]!.path;
      // Enough bytes to span several chunks, the canary at both ends.
      const content = Buffer.concat([Buffer.from(`${canary}\n`), randomBytes(150_000), Buffer.from(`\n${canary}\n`)]);
      if (isEncrypted(cls, location)) {
        await files.write(cls.id, target, content);
        ciphertexts.push({ classId: cls.id, bytes: readFileSync(target) });
      } else {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, content);
      }
    }
  }
  // An update snapshot copies the data partition's folders (never the keys): ciphertext copies of encrypted classes.
  const snapshot = join(classRoots.state, 'snapshots', '1.0.0');
  for (const { classId, path } of ENCRYPTED_LOCATIONS) {
    const copy = join(snapshot, path, 'copied.dat');
    mkdirSync(dirname(copy), { recursive: true });
    writeFileSync(copy, ciphertexts.find((c) => c.classId === classId)!.bytes);
  }
  // Other parts of the device, for the scan: a slot image and the boot environment.
  mkdirSync(join(root, 'slots'), { recursive: true });
  writeFileSync(join(root, 'slots', 'A.img'), randomBytes(64 * 1024));
  return { classRoots, keys, files, canaries, ciphertexts };
}

/** Every byte of every file under the headset's folder, searched for the canary. */
function occurrences(root: string, needle: string): number {
  let count = 0;
  const pattern = Buffer.from(needle);
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const bytes = readFileSync(join(entry.parentPath, entry.name));
    for (let at = bytes.indexOf(pattern); at !== -1; at = bytes.indexOf(pattern, at + 1)) count++;
  }
  return count;
}

function treeHash(dir: string): string {
  const hash = createHash('sha256');
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }).sort((a, b) =>
    join(a.parentPath, a.name).localeCompare(join(b.parentPath, b.name)),
  )) {
    if (!entry.isFile()) continue;
    hash.update(join(entry.parentPath, entry.name).slice(dir.length)).update(readFileSync(join(entry.parentPath, entry.name)));
  }
  return hash.digest('hex');
}

describe('a secure wipe, checked against every byte of the simulated headset', () => {
  it('keeps encrypted classes unreadable at rest, and plaintext ones are exactly those not listed as encrypted', async () => {
    const root = mkdtempSync(join(tmpdir(), 'canary-'));
    roots.push(root);
    const { canaries } = await plant(root);
    for (const cls of USER_DATA_CLASSES) {
      const encryptedEverywhere = cls.locations.every((location) => isEncrypted(cls, location));
      const plaintextSomewhere = cls.locations.some((location) => !isEncrypted(cls, location));
      const found = occurrences(root, canaries.get(cls.id)!);
      if (encryptedEverywhere) expect(found, cls.id).toBe(0);
      if (plaintextSomewhere) expect(found, cls.id).toBeGreaterThan(0);
    }
  });

  for (const scope of WIPE_SCOPES) {
    it(`wipe "${scope}": its classes' canaries are found 0 times, the others intact, calibration unchanged`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'canary-'));
      roots.push(root);
      const { classRoots, keys, files, canaries, ciphertexts } = await plant(root);
      const calibrationBefore = treeHash(join(classRoots.persist, 'calibration'));
      const before = new Map(USER_DATA_CLASSES.map((cls) => [cls.id, occurrences(root, canaries.get(cls.id)!)]));
      const wipe = new SecureWipe(classRoots, keys);
      const erased = classesErasedBy(scope as WipeScope);

      const inventory = await wipe.inventory(erased);
      await wipe.destroyKeys(erased);
      await wipe.erase(erased);
      const verification = await wipe.verify(erased);

      expect(verification.filter((v) => !v.ok)).toEqual([]);
      const erasedIds = new Set(erased.map((c) => c.id));
      for (const cls of USER_DATA_CLASSES) {
        const found = occurrences(root, canaries.get(cls.id)!);
        if (erasedIds.has(cls.id)) expect(found, `${cls.id} after ${scope}`).toBe(0);
        else expect(found, `${cls.id} kept by ${scope}`).toBe(before.get(cls.id));
      }
      // An encrypted class kept is still readable; one erased cannot be read from a copy taken before (flash keeps old cells).
      for (const { classId, bytes } of ciphertexts) {
        const key = await new ClassKeys(classRoots).get(classId);
        if (erasedIds.has(classId)) {
          expect(key).toBeNull();
          for (const other of USER_DATA_CLASSES) {
            const otherKey = await keys.get(other.id);
            if (otherKey) expect(() => decryptBuffer(classId, otherKey, bytes)).toThrow(CipherError);
          }
        } else {
          expect(decryptBuffer(classId, key!, bytes).includes(canaries.get(classId)!)).toBe(true);
          const cls = USER_DATA_CLASSES.find((c) => c.id === classId)!;
          const folder = resolveUserDataClass(cls, classRoots).find((l) => l.folder)!.path;
          const again = await files.read(classId, join(folder, 'sub', 'canary-0.dat'));
          expect(again?.includes(canaries.get(classId)!)).toBe(true);
        }
      }
      expect(treeHash(join(classRoots.persist, 'calibration'))).toBe(calibrationBefore);
      // The method follows the bytes found: crypto-erase for the encrypted classes.
      for (const entry of inventory) if (entry.classId === 'apps') expect(entry.method).toBe('crypto-erase');
      for (const entry of inventory) if (entry.classId === 'logs') expect(entry.method).toBe('overwrite');
      expect(inventory.find((e) => e.classId === 'profile')?.method ?? 'crypto-erase+overwrite').toBe('crypto-erase+overwrite');
    });
  }
});
