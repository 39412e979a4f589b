import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClassKeys } from './ClassKeys.js';
import sodium from 'sodium-native';
import { ResetJournal } from '../reset/ResetJournal.js';
import { ResetTransaction } from '../reset/ResetTransaction.js';
import { encryptedClasses } from './DataPartitionSetup.js';
import { FscryptClassEraser, FscryptClassPolicies, LuksVolume, luksDeviceErase, runTool } from './LinuxDataEncryption.js';
import { SanitizationRecords, verifySanitizationRecord } from './SanitizationRecords.js';
import { SecureWipe } from './SecureWipe.js';
import { classesErasedBy, resolveUserDataClass, userDataClass, userDataRootsOf } from './userDataClasses.js';

// Real cryptsetup and fscrypt on image files: needs root (loop devices, mount) and the tools.
const tools = ['cryptsetup', 'fscrypt', 'mkfs.ext4', 'tune2fs', 'losetup'].every((tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`]);
    return true;
  } catch {
    return false;
  }
});
const runnable = process.getuid?.() === 0 && tools;
const work = mkdtempSync(join(tmpdir(), 'linux-encryption-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const count = (bytes: Buffer, needle: string) => {
  let n = 0;
  for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) n++;
  return n;
};

describe.skipIf(!runnable)('LUKS2 data partition on an image file (cryptsetup 2.6)', () => {
  // `cryptsetup open` cannot run here (no device-mapper in this kernel): format, test a key, dump and
  // erase work on the image file itself, which is what a wipe needs of LUKS.
  it('formats with the key on stdin, opens with it only, and erase leaves no keyslot', async () => {
    const image = join(work, 'data.luks');
    writeFileSync(image, Buffer.alloc(0));
    execFileSync('truncate', ['-s', '32M', image]);
    const volume = new LuksVolume(image, { pbkdf: { type: 'pbkdf2', iterations: 1000 } });
    const key = randomBytes(64);
    await volume.format(key);
    expect(await volume.keyslots()).toEqual([0]);
    expect(await volume.opensWith(key)).toBe(true);
    expect(await volume.opensWith(randomBytes(64))).toBe(false);
    // The key is nowhere in the image's header in the clear.
    expect(readFileSync(image).indexOf(key)).toBe(-1);

    await volume.erase();
    expect(await volume.keyslots()).toEqual([]);
    expect(await volume.opensWith(key)).toBe(false);
    const dump = await runTool('cryptsetup', ['luksDump', image]);
    expect(dump.stdout).toMatch(/^Keyslots:\s*\n(Tokens:|\S)/m);
  });

  it("a factory reset's and decommissioning's device step erase the keyslots, say so, and drop the first-boot marker; other scopes leave them", async () => {
    const image = join(work, 'decommission.luks');
    execFileSync('truncate', ['-s', '32M', image]);
    const volume = new LuksVolume(image, { pbkdf: { type: 'pbkdf2', iterations: 1000 } });
    const marker = join(work, 'persist', 'data-partition.json');
    mkdirSync(join(work, 'persist'), { recursive: true });
    const step = luksDeviceErase(volume, { firstBootMarker: marker });
    for (const scope of ['everything', 'decommission']) {
      await volume.format(randomBytes(64));
      writeFileSync(marker, '{}');
      for (const kept of ['wearer', 'networks', 'logs', 'backups']) expect(await step(kept), kept).toEqual([]);
      expect(await volume.keyslots()).toEqual([0]);
      expect(existsSync(marker)).toBe(true);
      expect(await step(scope)).toEqual([{ name: 'LUKS2 keyslots erased', passed: true, detail: 'luksDump lists no keyslot' }]);
      expect(await volume.keyslots()).toEqual([]);
      // The next boot makes the partition anew (headset-data-setup.service runs without the marker).
      expect(existsSync(marker), scope).toBe(false);
    }
  });
});

describe.skipIf(!runnable)('fscrypt class policies on a loop-mounted ext4 image', () => {
  const image = join(work, 'data.ext4');
  const mountpoint = join(work, 'mnt');
  let loop = '';
  let madeGlobalConfig = false;
  let madeRootMetadata = false;

  beforeAll(() => {
    execFileSync('truncate', ['-s', '64M', image]);
    execFileSync('mkfs.ext4', ['-q', '-F', image]);
    execFileSync('tune2fs', ['-O', 'encrypt', image]);
    loop = execFileSync('losetup', ['-f', '--show', image]).toString().trim();
    mkdirSync(mountpoint);
    execFileSync('mount', [loop, mountpoint]);
    // fscrypt's global setup writes /etc/fscrypt.conf and /.fscrypt: made only if absent, removed after.
    madeRootMetadata = !existsSync('/.fscrypt');
    if (!existsSync('/etc/fscrypt.conf')) {
      // --time: fscrypt would otherwise calibrate passphrase hashing for seconds (raw keys do not use it).
      execFileSync('fscrypt', ['setup', '--force', '--quiet', '--time=1ms'], { stdio: ['ignore', 'pipe', 'pipe'] });
      madeGlobalConfig = true;
    }
  });

  afterAll(() => {
    if (loop) {
      execFileSync('umount', [mountpoint]);
      execFileSync('losetup', ['-d', loop]);
    }
    if (madeGlobalConfig) rmSync('/etc/fscrypt.conf', { force: true });
    if (madeRootMetadata) rmSync('/.fscrypt', { recursive: true, force: true });
  });

  it('keeps an encrypted class out of the image bytes, and destroying its key erases it while the others stay', async () => {
    const roots = userDataRootsOf({
      dataPartition: mountpoint,
      persistPartition: join(work, 'persist'),
      stateDir: join(mountpoint, 'headsetd'),
      logDir: join(mountpoint, 'logs'),
      crashesDir: join(mountpoint, 'crashes'),
      minidumpDir: join(mountpoint, 'crashdumps'),
    });
    const keys = new ClassKeys(roots);
    const policies = new FscryptClassPolicies(mountpoint, keys);
    await policies.setup();
    const canary = (id: string) => `CANARY-${id}-${'x'.repeat(16)}`;
    for (const id of ['apps', 'networks']) {
      mkdirSync(join(mountpoint, id));
      await policies.encrypt(id, join(mountpoint, id));
      writeFileSync(join(mountpoint, id, `${id}.txt`), canary(id).repeat(200));
    }
    mkdirSync(join(mountpoint, 'logs'));
    writeFileSync(join(mountpoint, 'logs', 'plain.log'), canary('logs').repeat(200));
    execFileSync('sync', ['-f', mountpoint]);
    const bytes = () => {
      execFileSync('sync', ['-f', mountpoint]);
      return readFileSync(image);
    };
    expect(count(bytes(), canary('apps'))).toBe(0);
    expect(count(bytes(), canary('networks'))).toBe(0);
    // The plaintext folder is what an unencrypted writer leaves: its canary is in the image.
    expect(count(bytes(), canary('logs'))).toBeGreaterThan(0);

    await policies.destroy('apps', join(mountpoint, 'apps'));
    expect(await keys.get('apps')).toBeNull();
    await expect(policies.unlock('apps', join(mountpoint, 'apps'))).rejects.toThrow(/no key/);
    // Names are ciphertext now, contents unreadable.
    const names = readdirSync(join(mountpoint, 'apps'));
    expect(names).not.toContain('apps.txt');
    expect(() => readFileSync(join(mountpoint, 'apps', names[0]!))).toThrow();
    // The other class is intact and readable.
    expect(readFileSync(join(mountpoint, 'networks', 'networks.txt'), 'utf8')).toContain(canary('networks'));
    await policies.lock(join(mountpoint, 'networks'));
    await policies.unlock('networks', join(mountpoint, 'networks'));
    expect(readFileSync(join(mountpoint, 'networks', 'networks.txt'), 'utf8')).toContain(canary('networks'));
    expect(count(bytes(), canary('apps'))).toBe(0);
  });

  it('the linux wipe erases a class through its fscrypt policy: the kernel forgets the key at once, the protector goes, and the record names the method', async () => {
    // A file system of its own (the test above left protectors named after classes on the first).
    const image = join(work, 'wipe.ext4');
    const mountpoint = join(work, 'mnt-wipe');
    execFileSync('truncate', ['-s', '64M', image]);
    execFileSync('mkfs.ext4', ['-q', '-F', '-O', 'encrypt', image]);
    const loop = execFileSync('losetup', ['-f', '--show', image]).toString().trim();
    mkdirSync(mountpoint);
    execFileSync('mount', [loop, mountpoint]);
    try {
      await wipeThroughPolicies(image, mountpoint);
    } finally {
      execFileSync('umount', [mountpoint]);
      execFileSync('losetup', ['-d', loop]);
    }
  });
});

async function wipeThroughPolicies(image: string, mountpoint: string) {
  {
    const root = join(mountpoint, 'wipe');
    const roots = userDataRootsOf({
      dataPartition: root,
      persistPartition: join(work, 'persist-wipe'),
      stateDir: join(root, 'headsetd'),
      logDir: join(root, 'logs'),
      crashesDir: join(root, 'crashes'),
      minidumpDir: join(root, 'crashdumps'),
    });
    const keys = new ClassKeys(roots);
    const policies = new FscryptClassPolicies(mountpoint, keys);
    await policies.setup();
    // As the first boot lays them out: each class's folders under one policy (DataPartitionSetup).
    const canaries = new Map<string, string>();
    for (const cls of encryptedClasses(roots, root)) {
      const folders = resolveUserDataClass(cls, roots)
        .filter((l) => l.folder)
        .map((l) => l.path);
      for (const folder of folders) mkdirSync(folder, { recursive: true });
      await policies.encryptAll(cls.id, folders);
      const canary = `CANARY-${cls.id}-${randomBytes(6).toString('hex')}`;
      canaries.set(cls.id, canary);
      for (const folder of folders) writeFileSync(join(folder, 'c.dat'), canary.repeat(100));
    }
    // The PIN is a lone file in headsetd's folder: inside LUKS, no policy of its own, overwritten.
    writeFileSync(join(roots.state, 'lock.json'), `{"canary":"${'CANARY-pin'.repeat(50)}"}`);
    const bytes = () => {
      execFileSync('sync', ['-f', mountpoint]);
      return readFileSync(image);
    };
    const eraser = new FscryptClassEraser(policies, keys, roots);
    const wipe = new SecureWipe(roots, keys, eraser);

    // One class by hand first: the kernel no longer has its key the moment destroyKeys returns.
    const apps = userDataClass('apps');
    const appsFolder = resolveUserDataClass(apps, roots).find((l) => l.folder)!.path;
    const appsStatus = (await runTool('fscrypt', ['status', appsFolder])).stdout;
    const protector = /^([0-9a-f]{16})\s+/m.exec(appsStatus)![1]!;
    const policy = /^Policy:\s+([0-9a-f]+)/m.exec(appsStatus)![1]!;
    expect((await wipe.inventory([apps]))[0]).toMatchObject({
      method: 'crypto-erase',
      keyErasure: 'fscrypt-policy',
      encryptedFiles: 1,
      plaintextFiles: 0,
    });
    expect(await wipe.destroyKeys([apps])).toEqual(['apps']);
    const [locked] = readdirSync(appsFolder);
    expect(locked).not.toBe('c.dat');
    expect(() => readFileSync(join(appsFolder, locked!))).toThrow(/ENOKEY|-126/);
    expect(existsSync(join(mountpoint, '.fscrypt', 'protectors', protector))).toBe(false);
    expect(existsSync(join(mountpoint, '.fscrypt', 'policies', policy))).toBe(false);
    expect(await keys.get('apps')).toBeNull();
    // Again, as after a power cut mid-step: nothing left to do, no error.
    expect(await wipe.destroyKeys([apps])).toEqual([]);

    // Then the whole 'wearer' scope through the reset transaction, signed as the headset signs.
    const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
    const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
    sodium.crypto_sign_keypair(publicKey, secretKey);
    const records = new SanitizationRecords(join(roots.persist, 'reset', 'records'));
    let restarted = false;
    const tx = new ResetTransaction({
      roots,
      wipe,
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
      restart: async () => {
        restarted = true;
      },
    });
    await (
      await tx.begin('wearer')
    ).done;
    expect(restarted).toBe(true);
    const [path] = await records.list();
    const check = verifySanitizationRecord(readFileSync(path!, 'utf8'), publicKey.toString('base64'));
    if (!check.ok) throw new Error(check.message);
    expect(check.record.verification).toBe('passed');
    const erased = classesErasedBy('wearer').map((c) => c.id);
    for (const id of erased.filter((id) => canaries.has(id) && id !== 'apps'))
      expect(
        check.record.classes.find((c) => c.classId === id),
        id,
      ).toMatchObject({
        method: 'crypto-erase',
        keyErasure: 'fscrypt-policy',
        keyDestroyed: true,
        verified: true,
      });
    expect(check.record.classes.find((c) => c.classId === 'pin')).toMatchObject({ method: 'overwrite', verified: true });
    expect(check.record.classes.find((c) => c.classId === 'pin')?.keyErasure).toBeUndefined();
    // Not one canary of an erased class in the image's bytes; a kept class (saved networks) still reads.
    const onDisk = bytes();
    for (const id of erased) if (canaries.has(id)) expect(count(onDisk, canaries.get(id)!), id).toBe(0);
    expect(count(onDisk, 'CANARY-pin')).toBe(0);
    const networks = resolveUserDataClass(userDataClass('networks'), roots).find((l) => l.folder)!.path;
    expect(readFileSync(join(networks, 'c.dat'), 'utf8')).toContain(canaries.get('networks'));
  }
}
