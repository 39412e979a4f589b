import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { promisify } from 'node:util';
import type { RootProblem } from '../../../src/image/rootProblems.js';
import { USER_DATA_CLASSES, classKeyPath, resolveUserDataClass, userDataRootsOf } from '../../services/userData/userDataClasses.js';
import { LINUX_GRUB_ENVIRONMENT, LINUX_PATHS } from '../profiles/linuxProfile.js';

const run = promisify(execFile);

/**
 * The read-only root check: assembles a root tree from native/ as the image installs it, lets
 * systemd's own tools read it (systemd-sysusers and systemd-tmpfiles with --root, the fstab and
 * crypttab generators), and then checks that every path the services write lies on a writable mount
 * and that the folders they expect on a fresh /run and /var are made at boot.
 *
 * The written paths come from the code, not from a list kept here: the linux device profile's paths,
 * every location of every user-data class (and its key) resolved against them, GRUB's environment,
 * each shipped unit's own writable places (ReadWritePaths=, StateDirectory=, LogsDirectory=,
 * RuntimeDirectory=, HOME/XDG folders), and NetworkManager's keyfile folder from its config.
 */

/** Where each file of native/ is installed in the image (native/README.md has the same table). */
export const IMAGE_INSTALL: ReadonlyArray<{ from: string; to: string }> = [
  { from: 'image/fstab', to: 'etc/fstab' },
  { from: 'image/crypttab', to: 'etc/crypttab' },
  { from: 'image/systemd/', to: 'usr/lib/systemd/system/' },
  { from: 'image/tmpfiles.d/', to: 'usr/lib/tmpfiles.d/' },
  { from: 'image/sysusers.d/', to: 'usr/lib/sysusers.d/' },
  { from: 'systemd/', to: 'usr/lib/systemd/system/' },
  { from: 'support/headset-support-switch.service', to: 'usr/lib/systemd/system/' },
  { from: 'NetworkManager/headset.conf', to: 'etc/NetworkManager/conf.d/' },
];

/** The generators' output folder in the tree (as PID 1 would run them: the "normal" directory). */
const GENERATED = 'run/systemd/generator';

/** The file systems PID 1 mounts itself, before any unit: all writable but /proc and /sys (read there by ProtectKernelTunables). */
const API_MOUNTS: readonly Mount[] = [
  { where: '/dev', type: 'devtmpfs', options: ['rw'], source: 'PID 1' },
  { where: '/dev/shm', type: 'tmpfs', options: ['rw'], source: 'PID 1' },
  { where: '/run', type: 'tmpfs', options: ['rw'], source: 'PID 1' },
  { where: '/proc', type: 'proc', options: ['rw'], source: 'PID 1' },
  { where: '/sys', type: 'sysfs', options: ['rw'], source: 'PID 1' },
];

export interface Mount {
  where: string;
  type: string;
  options: string[];
  /** The file that declares it (fstab, a mount unit), for the report. */
  source: string;
}

export interface WrittenPath {
  path: string;
  /** Who writes it, in words: the report names it. */
  by: string;
  /** A folder that must already exist when the writer starts (nobody else makes it). */
  mustExist?: { owner: string; mode?: number };
}

export interface RootCheck {
  root: string;
  mounts: Mount[];
  written: WrittenPath[];
  problems: RootProblem[];
}

/** Copies native/ into `root` as the image installs it, and runs systemd-sysusers, systemd-tmpfiles and the generators on it. */
export async function assembleImageRoot(nativeDir: string, root: string): Promise<void> {
  for (const { from, to } of IMAGE_INSTALL) {
    const source = join(nativeDir, from);
    const files = from.endsWith('/') ? (await readdir(source)).map((name) => join(source, name)) : [source];
    for (const file of files) {
      const target = to.endsWith('/') ? join(root, to, posix.basename(file)) : join(root, to);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(file, target);
    }
  }
  const env = { ...process.env, LC_ALL: 'C', SYSTEMD_LOG_LEVEL: 'warning' };
  await run('systemd-sysusers', [`--root=${root}`], { env });
  await run('systemd-tmpfiles', [`--root=${root}`, '--create'], { env });
  const out = join(root, GENERATED);
  await mkdir(out, { recursive: true });
  const generators = '/lib/systemd/system-generators';
  await run(join(generators, 'systemd-fstab-generator'), [out, out, out], { env: { ...env, SYSTEMD_FSTAB: join(root, 'etc/fstab') } });
  await run(join(generators, 'systemd-cryptsetup-generator'), [out, out, out], { env: { ...env, SYSTEMD_CRYPTTAB: join(root, 'etc/crypttab') } });
}

/** A unit file's `Key=value` lines, by key (every occurrence, in order). */
export function unitDirectives(text: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const equals = line.indexOf('=');
    if (equals < 0) continue;
    const key = line.slice(0, equals).trim();
    directives.set(key, [...(directives.get(key) ?? []), line.slice(equals + 1).trim()]);
  }
  return directives;
}

/** The mounts of the assembled tree: what the fstab generator made, the image's own .mount units, `/` from fstab, and PID 1's. */
export async function mountTable(root: string): Promise<Mount[]> {
  const mounts: Mount[] = [...API_MOUNTS];
  for (const dir of [GENERATED, 'usr/lib/systemd/system']) {
    for (const name of (await readdir(join(root, dir))).filter((n) => n.endsWith('.mount'))) {
      const directives = unitDirectives(await readFile(join(root, dir, name), 'utf8'));
      const where = directives.get('Where')?.at(-1);
      if (!where) continue;
      mounts.push({
        where,
        type: directives.get('Type')?.at(-1) ?? 'auto',
        options: (directives.get('Options')?.at(-1) ?? '').split(',').filter(Boolean),
        source: join(dir, name),
      });
    }
  }
  // No unit is generated for `/` outside the initrd: systemd-remount-fs applies its fstab options.
  const rootLine = (await readFile(join(root, 'etc/fstab'), 'utf8'))
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => !fields[0]?.startsWith('#') && fields[1] === '/');
  if (!rootLine) throw new Error('etc/fstab has no line for /');
  if (!mounts.some((m) => m.where === '/'))
    mounts.push({ where: '/', type: rootLine[2] ?? 'auto', options: (rootLine[3] ?? '').split(','), source: 'etc/fstab' });
  return mounts;
}

/** The mount a path is on: the longest mount point that contains it. */
export function mountOf(path: string, mounts: readonly Mount[]): Mount {
  const containing = mounts.filter((m) => m.where === '/' || path === m.where || path.startsWith(`${m.where}/`));
  return containing.sort((a, b) => b.where.length - a.where.length)[0]!;
}

/** Whether writes to this mount land somewhere: not `ro`, and for an overlay, an upper layer on a writable mount. */
export function isWritable(mount: Mount, mounts: readonly Mount[]): boolean {
  if (mount.options.includes('ro')) return false;
  if (mount.type !== 'overlay') return true;
  const upper = mount.options.find((o) => o.startsWith('upperdir='))?.slice('upperdir='.length);
  if (!upper) return false;
  const below = mountOf(
    upper,
    mounts.filter((m) => m !== mount),
  );
  return isWritable(below, mounts);
}

/** Every path the services write, from the linux profile, the user-data registry, the units and NetworkManager's config. */
export async function writtenPaths(root: string): Promise<WrittenPath[]> {
  const written: WrittenPath[] = [];
  const paths = LINUX_PATHS;
  written.push(
    { path: paths.stateDir, by: 'headsetd (its state)' },
    { path: paths.dataPartition, by: 'headsetd (user data)' },
    { path: paths.persistPartition, by: 'headsetd (identity, calibration, reset records)' },
    { path: paths.identityDir, by: 'headsetd (device identity)' },
    { path: paths.logDir, by: 'headsetd (logs)' },
    { path: paths.crashesDir, by: 'headsetd (crash records)' },
    { path: paths.healthDir, by: 'headsetd (health history)' },
    { path: paths.minidumpDir, by: "the UI (Crashpad's dumps; headsetd erases them)" },
    { path: posix.dirname(paths.socket), by: "headsetd (the API socket's folder)" },
    { path: paths.socket, by: 'headsetd (the API socket)' },
    { path: paths.supportRunDir, by: 'headsetd (support session and view)', mustExist: { owner: 'root', mode: 0o755 } },
    // The chroot itself stays root's; headsetd (no longer root) fills its folders and the session's.
    { path: `${paths.supportRunDir}/view`, by: "the support view's sshd (its chroot)", mustExist: { owner: 'root', mode: 0o755 } },
    { path: `${paths.supportRunDir}/view/logs`, by: 'headsetd (the support view)', mustExist: { owner: 'headsetd', mode: 0o755 } },
    { path: `${paths.supportRunDir}/session`, by: 'headsetd (the support session)', mustExist: { owner: 'headsetd', mode: 0o700 } },
    { path: `${paths.supportRunDir}/keys`, by: "headsetd (the viewers' keys)", mustExist: { owner: 'headsetd', mode: 0o755 } },
    { path: LINUX_GRUB_ENVIRONMENT, by: 'headsetd (boot counters and slot order)' },
    { path: '/run/sshd', by: "the support view's sshd (privilege separation)", mustExist: { owner: 'root', mode: 0o755 } },
  );
  const roots = userDataRootsOf(paths);
  for (const cls of USER_DATA_CLASSES) {
    for (const location of resolveUserDataClass(cls, roots)) written.push({ path: location.path, by: `user data class "${cls.id}"` });
    written.push({ path: classKeyPath(cls.id, roots), by: `the key of user data class "${cls.id}"` });
  }
  const unitDir = join(root, 'usr/lib/systemd/system');
  for (const name of (await readdir(unitDir)).filter((n) => n.endsWith('.service'))) {
    const directives = unitDirectives(await readFile(join(unitDir, name), 'utf8'));
    const words = (key: string) => (directives.get(key) ?? []).flatMap((value) => value.split(/\s+/)).filter(Boolean);
    // A `-` prefix only lets a missing path be skipped; when it exists, the unit writes there.
    for (const path of words('ReadWritePaths')) written.push({ path: path.replace(/^[-+]/, ''), by: `${name} (ReadWritePaths=)` });
    for (const dir of words('StateDirectory')) written.push({ path: `/var/lib/${dir}`, by: `${name} (StateDirectory=)` });
    for (const dir of words('LogsDirectory')) written.push({ path: `/var/log/${dir}`, by: `${name} (LogsDirectory=)` });
    for (const dir of words('CacheDirectory')) written.push({ path: `/var/cache/${dir}`, by: `${name} (CacheDirectory=)` });
    for (const dir of words('RuntimeDirectory')) written.push({ path: `/run/${dir}`, by: `${name} (RuntimeDirectory=)` });
    for (const assignment of words('Environment')) {
      const [key, value] = assignment.split('=', 2);
      if (key && value?.startsWith('/') && /^(HOME|XDG_\w+_HOME)$/.test(key)) written.push({ path: value, by: `${name} (${key})` });
    }
  }
  // NetworkManager keeps the saved networks where our config tells it (keyfile path=).
  const nm = await readFile(join(root, 'etc/NetworkManager/conf.d/headset.conf'), 'utf8');
  const keyfiles = /^\s*path\s*=\s*(\S+)/m.exec(nm)?.[1];
  if (keyfiles) written.push({ path: keyfiles, by: 'NetworkManager (saved networks)', mustExist: { owner: 'root' } });
  // The /etc overlay's own layers.
  for (const mount of await mountTable(root)) {
    if (mount.type !== 'overlay') continue;
    for (const option of mount.options.filter((o) => o.startsWith('upperdir=') || o.startsWith('workdir=')))
      written.push({ path: option.slice(option.indexOf('=') + 1), by: `${mount.source} (overlay layer)` });
  }
  return written;
}

/** Names of the tree's accounts by uid (its own /etc/passwd, as systemd-sysusers wrote it), root included. */
async function treeUsers(root: string): Promise<Map<number, string>> {
  const users = new Map<number, string>([[0, 'root']]);
  const passwd = await readFile(join(root, 'etc/passwd'), 'utf8').catch(() => '');
  for (const line of passwd.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid) users.set(Number(uid), name);
  }
  return users;
}

/** Checks an assembled tree: each written path on a writable mount, and each folder that must exist made at boot as it must be. */
export async function checkImageRoot(root: string): Promise<RootCheck> {
  const mounts = await mountTable(root);
  const written = await writtenPaths(root);
  const problems: RootProblem[] = [];
  for (const item of written) {
    const mount = mountOf(item.path, mounts);
    if (!isWritable(mount, mounts))
      problems.push({
        path: item.path,
        problem: `written by ${item.by}, but ${mount.where} is read-only (${mount.type}, ${mount.options.join(',') || 'defaults'}, from ${mount.source})`,
      });
  }
  const users = await treeUsers(root);
  for (const item of written.filter((w) => w.mustExist)) {
    const found = await stat(join(root, item.path)).catch(() => undefined);
    if (!found?.isDirectory()) {
      problems.push({ path: item.path, problem: `${item.by} needs it at start, and nothing in the image makes it at boot (tmpfiles.d)` });
      continue;
    }
    const owner = users.get(found.uid) ?? String(found.uid);
    if (owner !== item.mustExist!.owner) problems.push({ path: item.path, problem: `owned by ${owner}, ${item.by} needs ${item.mustExist!.owner}` });
    const mode = item.mustExist!.mode;
    if (mode !== undefined && (found.mode & 0o7777) !== mode)
      problems.push({ path: item.path, problem: `mode ${(found.mode & 0o7777).toString(8)}, ${item.by} needs ${mode.toString(8)}` });
  }
  return { root, mounts, written, problems };
}
