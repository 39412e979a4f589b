import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fsyncDirectory } from '../storage/atomicFile.js';
import type { ClassKeys } from './ClassKeys.js';
import type { ClassKeyEraser } from './SecureWipe.js';
import { resolveUserDataClass, type UserDataClass, type UserDataRoots } from './userDataClasses.js';

/**
 * The linux profile's encryption at rest: the data partition is LUKS2 (cryptsetup), and inside it
 * each user-data class folder has its own fscrypt policy, whose raw 32-byte key is the class key
 * (ClassKeys, kept on the data partition itself, so it is readable only while LUKS is open).
 * Destroying a class is Android's file-based-encryption model: evict its key from the kernel,
 * destroy the key file, and remove the policy's protector metadata; decommissioning is `cryptsetup
 * erase` (every LUKS keyslot gone: the partition's master key is unrecoverable). Keys travel on
 * stdin or in a 0600 file, never on a command line (`/proc/PID/cmdline` is world-readable).
 */
export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

const toolRunObservers = new Set<(command: string, args: readonly string[]) => void>();

/** Tells `listener` of every tool run (command and argv): how a test proves no key is ever on a command line. */
export function observeToolRuns(listener: (command: string, args: readonly string[]) => void): () => void {
  toolRunObservers.add(listener);
  return () => toolRunObservers.delete(listener);
}

export function runTool(command: string, args: readonly string[], input?: Uint8Array): Promise<ToolResult> {
  for (const observer of toolRunObservers) observer(command, args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ? Buffer.from(input) : undefined);
  });
}

async function check(command: string, args: readonly string[], input?: Uint8Array): Promise<string> {
  const result = await runTool(command, args, input);
  return checked(command, args, result);
}

function checked(command: string, args: readonly string[], result: ToolResult): string {
  if (result.code !== 0)
    throw new Error(`${command} ${args[0] ?? ''} failed (exit ${result.code}): ${result.stderr.trim().split('\n').at(-1) ?? ''}`);
  return result.stdout;
}

export interface LuksOptions {
  /** Key derivation; tests use pbkdf2 with few iterations (argon2id takes ~500 MiB and seconds). */
  pbkdf?: { type: 'pbkdf2'; iterations: number };
}

/** A LUKS2 volume (a partition, or an image file in tests). `open` needs device-mapper, which this class does not use. */
export class LuksVolume {
  constructor(
    readonly device: string,
    private readonly options: LuksOptions = {},
  ) {}

  private pbkdfArgs(): string[] {
    return this.options.pbkdf ? ['--pbkdf', this.options.pbkdf.type, '--pbkdf-force-iterations', String(this.options.pbkdf.iterations)] : [];
  }

  async format(key: Uint8Array): Promise<void> {
    await check('cryptsetup', ['luksFormat', '--type', 'luks2', '--batch-mode', '--key-file=-', ...this.pbkdfArgs(), this.device], key);
  }

  /** Whether `key` opens a keyslot (no mapping made). */
  async opensWith(key: Uint8Array): Promise<boolean> {
    return (await runTool('cryptsetup', ['open', '--test-passphrase', '--key-file=-', this.device], key)).code === 0;
  }

  /** The keyslot numbers `luksDump` lists. */
  async keyslots(): Promise<number[]> {
    const dump = await check('cryptsetup', ['luksDump', this.device]);
    const section = dump.split(/^Keyslots:\s*$/m)[1]?.split(/^\S.*:\s*$/m)[0] ?? '';
    return [...section.matchAll(/^\s+(\d+): /gm)].map((m) => Number(m[1]));
  }

  /** Wipes every keyslot: the volume's master key, hence all its data, is gone for good. */
  async erase(): Promise<void> {
    await check('cryptsetup', ['erase', '--batch-mode', this.device]);
  }
}

/** Per-class fscrypt policies on a mounted ext4 (or f2fs) file system with the encrypt feature. */
export class FscryptClassPolicies {
  constructor(
    readonly mountpoint: string,
    private readonly keys: ClassKeys,
  ) {}

  /** The file system's fscrypt metadata (`MNT/.fscrypt`); the global /etc/fscrypt.conf must exist (`fscrypt setup`). */
  async setup(): Promise<void> {
    await check('fscrypt', ['setup', this.mountpoint, '--quiet']);
  }

  /** An empty class folder gets its own policy, protected by the class key (made if missing). */
  async encrypt(classId: string, dir: string): Promise<void> {
    // fscrypt reads a raw key only from a regular file of 32 bytes: the class key file is one (0600,
    // on the data partition); its path is on the command line, the key is not.
    await this.keys.getOrCreate(classId);
    await check('fscrypt', ['encrypt', dir, '--source=raw_key', `--name=${classId}`, `--key=${this.keys.path(classId)}`, '--quiet']);
  }

  /** Every folder of a class under one policy: the first gets it (encrypt), the others share it. */
  async encryptAll(classId: string, dirs: readonly string[]): Promise<void> {
    const [first, ...rest] = dirs;
    if (first === undefined) return;
    await this.encrypt(classId, first);
    if (rest.length === 0) return;
    const status = await check('fscrypt', ['status', first]);
    const policy = /^Policy:\s+([0-9a-f]+)/m.exec(status)?.[1];
    const protector = /^([0-9a-f]{16})\s+/m.exec(status)?.[1];
    if (!policy || !protector) throw new Error(`fscrypt status of ${first} names no policy or protector`);
    for (const dir of rest)
      await check('fscrypt', [
        'encrypt',
        dir,
        `--policy=${this.mountpoint}:${policy}`,
        `--unlock-with=${this.mountpoint}:${protector}`,
        `--key=${this.keys.path(classId)}`,
        '--quiet',
      ]);
  }

  async unlock(classId: string, dir: string): Promise<void> {
    if (!(await this.keys.get(classId))) throw new Error(`class ${classId} has no key: it was erased`);
    // Idempotent: the folders of one class share its policy, so unlocking one unlocks them all.
    if (/^Unlocked:\s+Yes/m.test(await check('fscrypt', ['status', dir]))) return;
    await check('fscrypt', ['unlock', dir, `--key=${this.keys.path(classId)}`, '--quiet']);
  }

  async lock(dir: string): Promise<void> {
    await check('fscrypt', ['lock', dir, '--quiet']);
  }

  /**
   * Crypto-erase of one class: its key evicted from the kernel, its key file destroyed, and the
   * policy and protector metadata removed (the wrapped policy key with them), so not even a copy
   * of the old key file would open it. Then the ciphertext itself can be deleted at leisure.
   */
  async destroy(classId: string, dir: string): Promise<void> {
    await this.forgetPolicy(dir, () => this.keys.destroy(classId));
  }

  /**
   * The folder's policy locked and its policy and protector metadata removed (`between` runs after
   * the lock: destroying the key). Also how a class whose key a wipe destroyed is made anew.
   */
  async forgetPolicy(dir: string, between?: () => Promise<unknown>): Promise<void> {
    const status = await check('fscrypt', ['status', dir]);
    const policy = /^Policy:\s+([0-9a-f]+)/m.exec(status)?.[1];
    const protectors = [...status.matchAll(/^([0-9a-f]{16})\s+/gm)].map((m) => m[1]!);
    if (/^Unlocked:\s+Yes/m.test(status)) await this.lock(dir);
    await between?.();
    const metadata = join(this.mountpoint, '.fscrypt');
    if (policy) await rm(join(metadata, 'policies', policy), { force: true });
    for (const protector of protectors) await rm(join(metadata, 'protectors', protector), { force: true });
  }
}

/**
 * The linux profile's wipe of a class: through its fscrypt policy rather than its key file alone.
 * The class's folders on the mounted data partition share one policy (DataPartitionSetup); the
 * policy is locked (the kernel forgets the key at once, not at the next restart), the class key
 * file destroyed, and the policy's and protector's metadata removed. Idempotent: after a cut past
 * the metadata's removal `fscrypt status` finds no policy, and only the key file is left to destroy.
 */
export class FscryptClassEraser implements ClassKeyEraser {
  readonly keyErasure = 'fscrypt-policy' as const;

  constructor(
    private readonly policies: FscryptClassPolicies,
    private readonly keys: ClassKeys,
    private readonly roots: UserDataRoots,
  ) {}

  async protectedFolders(cls: UserDataClass): Promise<string[]> {
    const found: string[] = [];
    for (const location of resolveUserDataClass(cls, this.roots)) {
      if (!location.folder || !inside(this.policies.mountpoint, location.path)) continue;
      const status = await runTool('fscrypt', ['status', location.path]);
      if (status.code === 0 && /^Policy:\s+[0-9a-f]+/m.test(status.stdout)) found.push(location.path);
    }
    return found;
  }

  async destroy(cls: UserDataClass): Promise<boolean> {
    // The folders of one class share its policy and protector (encryptAll): forgetting it at the first forgets it for all.
    const [first] = await this.protectedFolders(cls);
    let hadKey = false;
    const destroyKey = async () => {
      hadKey = await this.keys.destroy(cls.id);
    };
    if (first) await this.policies.forgetPolicy(first, destroyKey);
    else await destroyKey();
    return hadKey;
  }
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * The reset's device-level step on a LUKS2 data partition. A factory reset and decommissioning
 * erase every keyslot (`cryptsetup erase`: the partition's master key, hence all of /var, is
 * unrecoverable once the running system, which still holds it in the kernel, restarts) and check
 * with `luksDump` that none is left. The first-boot marker goes first (durable), so the next boot
 * makes the partition anew (DataPartitionSetup); a cut between the two only makes it anew anyway.
 * The other scopes erase classes through their keys and leave the keyslots alone.
 */
export function luksDeviceErase(volume: LuksVolume, options: { firstBootMarker?: string } = {}) {
  return async (scope: string): Promise<Array<{ name: string; passed: boolean; detail: string }>> => {
    if (scope !== 'decommission' && scope !== 'everything') return [];
    if (options.firstBootMarker) {
      await rm(options.firstBootMarker, { force: true });
      await fsyncDirectory(dirname(options.firstBootMarker));
    }
    await volume.erase();
    const left = await volume.keyslots();
    return [
      {
        name: 'LUKS2 keyslots erased',
        passed: left.length === 0,
        detail: left.length === 0 ? 'luksDump lists no keyslot' : `keyslots left: ${left.join(', ')}`,
      },
    ];
  };
}
