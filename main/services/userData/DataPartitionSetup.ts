import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, rm, unlink } from 'node:fs/promises';
import { dirname, join, relative, isAbsolute } from 'node:path';
import sodium from 'sodium-native';
import { ensureDirectory, fsyncDirectory, readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import { fileSync } from '../storage/fileSync.js';
import { ClassKeys } from './ClassKeys.js';
import { FscryptClassPolicies, runTool, type LuksVolume } from './LinuxDataEncryption.js';
import { USER_DATA_CLASSES, resolveUserDataClass, type UserDataClass, type UserDataRoots } from './userDataClasses.js';

/**
 * What the data partition's setup needs of the machine beyond LUKS itself. On a headset: the
 * device-mapper (`cryptsetup open`), mkfs.ext4 with the encrypt feature, mount, and the TPM
 * (systemd-cryptenroll). Every key goes on stdin or in a 0600 file, never on a command line.
 */
export interface DataPartitionTools {
  /** Maps the LUKS volume opened with `key` and answers the mapped device (`/dev/mapper/data`). */
  open(key: Uint8Array): Promise<string>;
  close(): Promise<void>;
  /** Binds the volume to this headset's TPM, unlocking it with the key in `keyFile` (crypttab opens it with the TPM from then on). */
  enrollTpm(keyFile: string): Promise<void>;
  makeFileSystem(device: string): Promise<void>;
  mount(device: string, dir: string): Promise<void>;
  unmount(dir: string): Promise<void>;
}

/** A headset's tools (needs root, device-mapper and a TPM: none of which the test machines have but root). */
export function linuxDataPartitionTools(volume: LuksVolume, name = 'data'): DataPartitionTools {
  const run = async (command: string, args: string[], input?: Uint8Array) => {
    const result = await runTool(command, args, input);
    if (result.code !== 0) throw new Error(`${command} ${args[0]} failed (exit ${result.code}): ${result.stderr.trim().split('\n').at(-1) ?? ''}`);
  };
  return {
    async open(key) {
      await run('cryptsetup', ['open', '--type', 'luks2', '--key-file=-', volume.device, name], key);
      return `/dev/mapper/${name}`;
    },
    close: () => run('cryptsetup', ['close', name]),
    enrollTpm: (keyFile) => run('systemd-cryptenroll', ['--tpm2-device=auto', `--unlock-key-file=${keyFile}`, volume.device]),
    makeFileSystem: (device) => run('mkfs.ext4', ['-q', '-F', '-O', 'encrypt', device]),
    mount: (device, dir) => run('mount', [device, dir]),
    unmount: (dir) => run('umount', [dir]),
  };
}

export interface DataPartitionSetupOptions {
  volume: LuksVolume;
  tools: DataPartitionTools;
  /** The headset's user-data roots as its services see them (LINUX_PATHS), and where the partition is mounted then (`/var`). */
  roots: UserDataRoots;
  mountedAt: string;
  /** Where the setup mounts the new file system (it runs before `/var` is mounted). */
  workDir: string;
  /** The marker on the persist partition: present once the partition is set up. */
  marker: string;
  now?: () => Date;
}

/**
 * The linux headset's data partition at first boot (native/image/systemd/headset-data-setup.service,
 * before crypttab opens it): a random 64-byte key, LUKS2 formatted with it (stdin), bound to the TPM
 * (the key in a 0600 file for systemd-cryptenroll, then overwritten and removed), opened, an ext4
 * with the encrypt feature made on it, fscrypt set up, and each user-data class folder on it given
 * its own fscrypt policy under its class key (`keys/<class>.key`): destroying that key erases the
 * class. Then the marker on /persist.
 *
 * Power cuts: nothing of the wearer's is on the partition before the marker is durable (headsetd
 * starts after /var is mounted, which needs this unit done), so a cut anywhere before it is
 * repaired by doing it all again from the format, which is what a start without the marker does.
 */
export class DataPartitionSetup {
  constructor(private readonly options: DataPartitionSetupOptions) {}

  async isSetUp(): Promise<boolean> {
    return (await readJsonIfExists<{ setUpAt: string }>(this.options.marker)) !== undefined;
  }

  async firstBoot(): Promise<'already' | 'set-up'> {
    if (await this.isSetUp()) return 'already';
    const { volume, tools, workDir } = this.options;
    const key = Buffer.alloc(64);
    sodium.randombytes_buf(key);
    try {
      await volume.format(key);
      await this.enroll(key);
      const device = await tools.open(key);
      try {
        await tools.makeFileSystem(device);
        const mountpoint = join(workDir, 'mnt');
        await mkdir(mountpoint, { recursive: true });
        await tools.mount(device, mountpoint);
        try {
          await this.classPolicies(mountpoint, true);
        } finally {
          await tools.unmount(mountpoint);
        }
      } finally {
        await tools.close();
      }
    } finally {
      sodium.sodium_memzero(key);
    }
    await ensureDirectory(dirname(this.options.marker));
    await writeFileAtomic(
      this.options.marker,
      JSON.stringify({ setUpAt: (this.options.now?.() ?? new Date()).toISOString(), format: 'luks2+fscrypt' }),
    );
    return 'set-up';
  }

  /**
   * At every boot once `/var` is mounted (before headsetd): each class folder unlocked with its key;
   * a class whose key a wipe destroyed gets its folder back empty under a new policy and key.
   */
  async unlockClasses(): Promise<Array<{ classId: string; folders: number; action: 'unlocked' | 'made' }>> {
    return this.classPolicies(this.options.mountedAt, false);
  }

  /** The TPM enrollment reads the key from a 0600 file in the work folder (a tmpfs), overwritten and removed after. */
  private async enroll(key: Uint8Array): Promise<void> {
    await mkdir(this.options.workDir, { recursive: true, mode: 0o700 });
    const keyFile = join(this.options.workDir, `.luks-${randomBytes(6).toString('hex')}.key`);
    const handle = await open(keyFile, 'wx', 0o600);
    try {
      await handle.writeFile(key);
      await handle.close();
      await this.options.tools.enrollTpm(keyFile);
    } finally {
      const again = await open(keyFile, 'r+').catch(() => undefined);
      if (again) {
        await again.write(Buffer.alloc(key.length), 0, key.length, 0);
        await fileSync().syncFile(again, keyFile);
        await again.close();
      }
      await unlink(keyFile).catch(() => undefined);
    }
  }

  /** Each class folder on the partition under its class's fscrypt policy, made (first boot, or after its key went) or unlocked. */
  private async classPolicies(mountpoint: string, setUp: boolean): Promise<Array<{ classId: string; folders: number; action: 'unlocked' | 'made' }>> {
    const roots = rebase(this.options.roots, this.options.mountedAt, mountpoint);
    const keys = new ClassKeys(roots);
    const policies = new FscryptClassPolicies(mountpoint, keys);
    if (setUp) await policies.setup();
    const result: Array<{ classId: string; folders: number; action: 'unlocked' | 'made' }> = [];
    for (const cls of encryptedClasses(this.options.roots, this.options.mountedAt)) {
      const folders = resolveUserDataClass(cls, roots)
        .filter((l) => l.folder && inside(mountpoint, l.path))
        .map((l) => l.path);
      if ((await keys.get(cls.id)) !== null && !setUp) {
        for (const folder of folders) await policies.unlock(cls.id, folder);
        result.push({ classId: cls.id, folders: folders.length, action: 'unlocked' });
        continue;
      }
      // No key (first boot, or the class was crypto-erased): its folders again, empty, under a new policy.
      // The old policy's metadata goes first (a folder a wipe left; none at first boot).
      for (const folder of folders) if (!setUp && existsSync(folder)) await policies.forgetPolicy(folder).catch(() => undefined);
      for (const folder of folders) {
        await rm(folder, { recursive: true, force: true });
        await mkdir(folder, { recursive: true, mode: 0o700 });
        await fsyncDirectory(dirname(folder));
      }
      await policies.encryptAll(cls.id, folders);
      result.push({ classId: cls.id, folders: folders.length, action: 'made' });
    }
    return result;
  }
}

/**
 * The classes that get an fscrypt policy: those a wipe erases with a folder on the partition; all
 * their folders share the class's policy. A lone file of a class (lock.json in the state folder)
 * cannot carry a policy of its own: inside LUKS, it is erased by overwriting, and the record says so.
 */
export function encryptedClasses(roots: UserDataRoots, mountedAt: string): UserDataClass[] {
  return USER_DATA_CLASSES.filter(
    (cls) => cls.erasedBy.length > 0 && resolveUserDataClass(cls, roots).some((l) => l.folder && inside(mountedAt, l.path)),
  );
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** The roots with every path under `from` moved under `to` (the partition mounted elsewhere at first boot). */
function rebase(roots: UserDataRoots, from: string, to: string): UserDataRoots {
  const moved = { ...roots };
  for (const key of Object.keys(moved) as Array<keyof UserDataRoots>)
    if (inside(from, moved[key]) || moved[key] === from) moved[key] = join(to, relative(from, moved[key]));
  return moved;
}
