import { createHash } from 'node:crypto';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../../src/api/errors.js';
import { toHex } from '../../src/update/hex.js';
import { targetCustomFromManifest } from '../../src/update/manifest.js';
import {
  TOP_LEVEL_ROLES,
  type AnySigned,
  type RoleName,
  type Signed,
  type SnapshotSigned,
  type TimestampSigned,
} from '../../src/update/tuf/metadata.js';
import { requireMetadata } from '../../src/update/tuf/repositoryChecks.js';
import { readJsonIfExists, writeFileAtomic } from '../services/storage/atomicFile.js';
import { BundleReader } from '../services/update/BundleReader.js';
import { loadSigningKey, type SigningKey } from '../operator/keys/signingKeys.js';
import { loadTrustedKey } from '../services/update/trustedKeys.js';
import { DEFAULT_EXPIRY_DAYS, TufRepository, type ExpiryDays, type RoleKey } from '../operator/tuf/TufRepository.js';
import { type Command, UsageError, formatBytes, parseCommandLine } from './command.js';

/**
 * DIR/repo.json: the repository's settings, kept beside (never inside) the served folder. It
 * records where the signing keys are, not the keys: they stay in KEYDIR, offline when possible.
 */
interface RepoConfig {
  expiryDays: ExpiryDays;
  keysDir: string;
}

/** TUF target names end up in URLs (targets/<sha256>.<name>): keep them to characters that need no escaping. */
const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/;

export const repoInit: Command = {
  usage: `usage: headsetctl repo init DIR --keys KEYDIR [--expires-days root=365,targets=90,snapshot=7,timestamp=1]

Creates a TUF repository in DIR: DIR/repository/ is what a static web server serves (1.root.json,
consistent snapshots, targets/), DIR/repo.json records the settings and KEYDIR's absolute path
(never the keys). Signs with KEYDIR/{root,targets,snapshot,timestamp}.key (from 'headsetctl keys
generate'; each must match its .pub). --expires-days sets how long each role's metadata is valid
(days; roles left out keep the defaults shown); 'repo publish' re-signs targets, snapshot and
timestamp, so publish at least daily with the default timestamp expiry.
Devices are shipped with DIR/repository/1.root.json as their trusted root. Refuses a DIR that
already has a repository (REPO_EXISTS).`,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({ args, options: { keys: { type: 'string' }, 'expires-days': { type: 'string' } }, allowPositionals: true, strict: true }),
    );
    const dir = singleDir(positionals);
    if (!values.keys) throw new UsageError('--keys KEYDIR is required');
    const expiryDays = values['expires-days'] === undefined ? DEFAULT_EXPIRY_DAYS : parseExpiryDays(values['expires-days']);
    const keysDir = resolve(values.keys);
    const repo = new TufRepository(dir);
    // Keys under the served folder would be published with the metadata.
    const inside = relative(resolve(repo.served), keysDir);
    if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside)))
      throw new AppError('INVALID_INPUT', `${keysDir} is inside the served folder ${repo.served}: the keys would be published.`, [
        { path: 'keys', message: 'inside the repository' },
      ]);
    const loaded = await loadRoleKeys(keysDir, TOP_LEVEL_ROLES);
    try {
      await repo.init(loaded.roleKeys, new Date(), expiryDays);
      await writeConfig(dir, { expiryDays, keysDir });
      const root = await repo.latestRoot();
      io.stdout(`Created a TUF repository in ${dir}, keys from ${keysDir}\n`);
      for (const role of TOP_LEVEL_ROLES)
        io.stdout(`  ${role.padEnd(10)} key ${root.signed.roles[role].keyids.join(', ')}, metadata valid ${expiryDays[role]} day(s)\n`);
      io.stdout(`Serve ${repo.served} with any static web server; devices trust ${join(repo.served, '1.root.json')}.\n`);
    } finally {
      loaded.dispose();
    }
  },
};

export const repoAdd: Command = {
  usage: `usage: headsetctl repo add DIR BUNDLE [--trust PUBKEY]...

Verifies BUNDLE (signature by KEYDIR/bundle.pub of the repository's recorded key folder, or by a
--trust key such as the bundle key before a rotation; then every payload) and stages it as the
target named after the file, with what a device needs to choose an update in the target's signed
'custom' metadata: version, compatible, minVersion, requires, images ({name, slot, size}), notes,
kind (full or delta) and deltaFrom. A tampered or unsigned bundle is refused with its BUNDLE_* code,
and nothing is staged. Devices see it after 'headsetctl repo publish DIR'.`,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({ args, options: { trust: { type: 'string', multiple: true } }, allowPositionals: true, strict: true }),
    );
    if (positionals.length !== 2) throw new UsageError('DIR and BUNDLE are required');
    const [dir, bundle] = positionals as [string, string];
    const config = await readConfig(dir);
    const repo = new TufRepository(dir);
    await repo.latestTargets(); // REPO_MISSING before any work
    const name = basename(bundle);
    if (!TARGET_NAME.test(name))
      throw new AppError('INVALID_INPUT', `The target would be named "${name}": rename the bundle file to letters, digits, ".", "_", "+" and "-".`, [
        { path: 'bundle', message: 'file name' },
      ]);
    const trusted = await Promise.all([join(config.keysDir, 'bundle.pub'), ...(values.trust ?? [])].map((file) => loadTrustedKey(file)));
    const { manifest, length, sha256 } = await verifyBundleFile(bundle, trusted);
    const custom = targetCustomFromManifest(manifest);
    const replaced = name in (await repo.stagedTargets()) || name in (await repo.latestTargets()).signed.targets;
    // The bytes staged must be the bytes verified: add() hashes its copy and compares.
    await repo.add(bundle, custom, name, { length, sha256 });
    const what = custom.kind === 'delta' ? `delta ${custom.deltaFrom} -> ${custom.version}` : `version ${custom.version}`;
    io.stdout(
      `Staged ${name}${replaced ? ' (replacing a target of that name)' : ''}: ${what} for ${custom.compatible}, ${formatBytes(length)}, sha256 ${sha256}\n`,
    );
    io.stdout(`Run 'headsetctl repo publish ${dir}' to make it visible to devices.\n`);
  },
};

export const repoPublish: Command = {
  usage: `usage: headsetctl repo publish DIR

Signs the targets metadata (published targets plus the staged ones) as a new version, then a new
snapshot and timestamp, with the keys of the recorded key folder; the timestamp is written last, so
clients see all of it or none. Also renews the expiries: run it before the timestamp expires even
with nothing staged.`,
  async run(args, io) {
    const { positionals } = parseCommandLine(() => parseArgs({ args, options: {}, allowPositionals: true, strict: true }));
    const dir = singleDir(positionals);
    const config = await readConfig(dir);
    const repo = new TufRepository(dir);
    const staged = Object.keys(await repo.stagedTargets());
    const root = await repo.latestRoot();
    const loaded = await loadRoleKeys(config.keysDir, ['targets', 'snapshot', 'timestamp']);
    try {
      checkKeysInRoot(root.signed.roles, loaded.roleKeys, config.keysDir);
      const { targetsVersion } = await repo.publish(loaded.roleKeys);
      const state = await readState(repo);
      io.stdout(
        `Published targets v${targetsVersion} (${Object.keys(state.targets.signed.targets).length} target(s), ${staged.length} newly added${staged.length ? `: ${staged.join(', ')}` : ''}), snapshot v${state.snapshot.signed.version}, timestamp v${state.timestamp.signed.version}\n`,
      );
      io.stdout(`Timestamp valid until ${state.timestamp.signed.expires}.\n`);
    } finally {
      loaded.dispose();
    }
  },
};

export const repoRemove: Command = {
  usage: `usage: headsetctl repo remove DIR TARGET

Stages the withdrawal of a published target (a bundle's file name, as \`repo status\` lists it). After
the next \`repo publish\`, devices are no longer offered it, and a headset that kept its bundle may
no longer go back to that version. The file itself stays, so older metadata keeps resolving.`,
  async run(args, io) {
    const { positionals } = parseCommandLine(() => parseArgs({ args, options: {}, allowPositionals: true, strict: true }));
    if (positionals.length !== 2) throw new UsageError('expected DIR and TARGET');
    const [dir, target] = positionals as [string, string];
    await readConfig(dir);
    await new TufRepository(dir).remove(target);
    io.stdout(`Staged the withdrawal of ${target}. Run 'headsetctl repo publish ${dir}' to make it visible to devices.\n`);
  },
};

export const repoRotateRoot: Command = {
  usage: `usage: headsetctl repo rotate-root DIR --new-keys KEYDIR2

Writes root version N+1 listing the keys of KEYDIR2 for every role, signed by the current root key
(from the recorded key folder) and the new one, so that a device trusting only an older root
follows the chain. Then re-signs targets, snapshot and timestamp with the new keys (staged targets
are published with them) and records KEYDIR2 as the repository's key folder: 'repo add' then
checks bundles with KEYDIR2/bundle.pub (use 'repo add --trust' for bundles signed with the old
one; devices trust bundle keys from their image, not from the repository). With the same KEYDIR as
before, it renews the root's expiry.`,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({ args, options: { 'new-keys': { type: 'string' } }, allowPositionals: true, strict: true }),
    );
    const dir = singleDir(positionals);
    if (!values['new-keys']) throw new UsageError('--new-keys KEYDIR2 is required');
    const newKeysDir = resolve(values['new-keys']);
    const config = await readConfig(dir);
    const repo = new TufRepository(dir);
    const root = await repo.latestRoot();
    const staged = Object.keys(await repo.stagedTargets());
    const oldRoot = await loadRoleKeys(config.keysDir, ['root']);
    const next = await loadRoleKeys(newKeysDir, TOP_LEVEL_ROLES);
    try {
      checkKeysInRoot(root.signed.roles, oldRoot.roleKeys, config.keysDir);
      const version = await repo.rotateRoot(
        oldRoot.roleKeys.root.map((key) => key.signer),
        next.roleKeys,
      );
      // The old targets/snapshot/timestamp are signed by keys the new root may no longer list.
      const { targetsVersion } = await repo.publish(next.roleKeys);
      // Recorded last: until here, running the command again redoes the rotation with the old root key.
      await writeConfig(dir, { ...config, keysDir: newKeysDir });
      io.stdout(
        `Root v${version} signed by the old and the new root keys; targets v${targetsVersion} re-signed with the new keys${staged.length ? ` (including staged: ${staged.join(', ')})` : ''}.\n`,
      );
      io.stdout(`The repository now signs with ${newKeysDir}. Keep the old root key until no device trusts a root older than v${version}.\n`);
    } finally {
      oldRoot.dispose();
      next.dispose();
    }
  },
};

export const repoStatus: Command = {
  usage: `usage: headsetctl repo status DIR [--json]

Prints each role's metadata version and expiry (EXPIRED when past), the published targets with
their version, kind and size, and the staged ones. --json prints the same as one object.`,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({ args, options: { json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true }),
    );
    const dir = singleDir(positionals);
    const repo = new TufRepository(dir);
    const state = await readState(repo);
    // Status needs no keys: a repository whose repo.json records none (made without headsetctl) is shown too.
    const keysDir = (await readJsonIfExists<Partial<RepoConfig>>(join(dir, 'repo.json')))?.keysDir ?? null;
    const staged = await repo.stagedTargets();
    const now = Date.now();
    const roles = Object.fromEntries(
      (['root', 'targets', 'snapshot', 'timestamp'] as const).map((role) => {
        const signed: AnySigned = state[role].signed;
        return [role, { version: signed.version, expires: signed.expires, expired: Date.parse(signed.expires) <= now }];
      }),
    ) as Record<RoleName, { version: number; expires: string; expired: boolean }>;
    const targets = Object.entries(state.targets.signed.targets).map(([name, target]) => ({
      name,
      length: target.length,
      sha256: target.hashes.sha256,
      custom: target.custom ?? {},
    }));
    const stagedList = Object.entries(staged).map(([name, target]) => ({
      name,
      length: target.length,
      sha256: target.hashes.sha256,
      custom: target.custom ?? {},
    }));
    if (values.json) {
      io.stdout(`${JSON.stringify({ dir, served: repo.served, keysDir, roles, targets, staged: stagedList }, null, 2)}\n`);
      return;
    }
    const lines = [`repository   ${repo.served}`, `keys         ${keysDir ?? '(not recorded)'}`];
    for (const [role, info] of Object.entries(roles))
      lines.push(`${role.padEnd(12)} v${info.version}, expires ${info.expires}${info.expired ? '  EXPIRED' : ''}`);
    const describe = (entry: (typeof targets)[number]) => {
      const custom = entry.custom as { version?: string; kind?: string; deltaFrom?: string; compatible?: string };
      const what =
        custom.kind === 'delta'
          ? `delta ${custom.deltaFrom} -> ${custom.version}`
          : custom.version
            ? `version ${custom.version}`
            : 'no bundle metadata';
      return `  ${entry.name}: ${what}${custom.compatible ? ` for ${custom.compatible}` : ''}, ${formatBytes(entry.length)}`;
    };
    lines.push(`targets      ${targets.length} published`, ...targets.map(describe));
    lines.push(`staged       ${stagedList.length}${stagedList.length ? ' (run repo publish)' : ''}`, ...stagedList.map(describe));
    io.stdout(`${lines.join('\n')}\n`);
  },
};

export function parseExpiryDays(text: string): ExpiryDays {
  const days: ExpiryDays = { ...DEFAULT_EXPIRY_DAYS };
  for (const part of text.split(',')) {
    const match = /^(root|targets|snapshot|timestamp)=(\d{1,5})$/.exec(part.trim());
    const value = match ? Number(match[2]) : NaN;
    if (!match || value < 1 || value > 36_500)
      throw new UsageError(`--expires-days takes ROLE=DAYS,... with roles root, targets, snapshot, timestamp and 1..36500 days, not '${part}'`);
    days[match[1] as RoleName] = value;
  }
  return days;
}

function singleDir(positionals: string[]): string {
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'the repository DIR is required' : `one repository DIR, not ${positionals.length}`);
  return positionals[0]!;
}

async function readConfig(dir: string): Promise<RepoConfig> {
  const config = requireMetadata(await readJsonIfExists<Partial<RepoConfig>>(join(dir, 'repo.json')), 'repo.json', dir);
  if (typeof config.keysDir !== 'string')
    throw new AppError('REPO_MISSING', `${join(dir, 'repo.json')} records no key folder (the repository was not made by headsetctl repo init).`, {
      dir,
      file: 'repo.json',
    });
  return { expiryDays: config.expiryDays ?? DEFAULT_EXPIRY_DAYS, keysDir: config.keysDir };
}

async function writeConfig(dir: string, config: RepoConfig): Promise<void> {
  // Merged: TufRepository keeps its own settings in the same file.
  const current = (await readJsonIfExists<Record<string, unknown>>(join(dir, 'repo.json'))) ?? {};
  await writeFileAtomic(join(dir, 'repo.json'), `${JSON.stringify({ ...current, ...config }, null, 2)}\n`);
}

interface LoadedKeys<R extends RoleName> {
  roleKeys: Record<R, RoleKey[]>;
  dispose(): void;
}

/** Loads ROLE.key (checked against ROLE.pub) for each role; the private halves stay in SigningKey. */
async function loadRoleKeys<R extends RoleName>(keysDir: string, roles: readonly R[]): Promise<LoadedKeys<R>> {
  const loaded: SigningKey[] = [];
  const dispose = () => loaded.forEach((key) => key.dispose());
  try {
    const roleKeys = {} as Record<R, RoleKey[]>;
    for (const role of roles) {
      const key = await loadSigningKey(join(keysDir, `${role}.key`));
      loaded.push(key);
      const publicKey = await loadTrustedKey(join(keysDir, `${role}.pub`));
      if (publicKey.keyId !== key.keyId)
        throw new AppError('KEY_INVALID', `${join(keysDir, `${role}.pub`)} is not the public key of ${role}.key.`, { source: `${role}.pub` });
      const publicKeyHex = toHex(key.publicKey);
      roleKeys[role] = [{ publicKeyHex, signer: { keyid: TufRepository.keyId(publicKeyHex), sign: (message) => key.sign(message) } }];
    }
    return { roleKeys, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

/** A key the current root does not list would sign metadata every client refuses: say so first. */
function checkKeysInRoot(roles: Record<RoleName, { keyids: string[] }>, keys: Partial<Record<RoleName, RoleKey[]>>, keysDir: string): void {
  for (const [role, list] of Object.entries(keys) as [RoleName, RoleKey[]][]) {
    for (const key of list) {
      if (!roles[role].keyids.includes(key.signer.keyid)) {
        throw new AppError(
          'KEY_INVALID',
          `${join(keysDir, `${role}.key`)} (key ${key.signer.keyid}) is not a ${role} key of the repository's current root.`,
          { source: `${role}.key`, role },
        );
      }
    }
  }
}

async function readState(repo: TufRepository) {
  const root = await repo.latestRoot();
  const timestamp = requireMetadata(await readJsonIfExists<Signed<TimestampSigned>>(join(repo.served, 'timestamp.json')), 'timestamp.json', repo.dir);
  const snapshotFile = `${timestamp.signed.meta['snapshot.json'].version}.snapshot.json`;
  const snapshot = requireMetadata(await readJsonIfExists<Signed<SnapshotSigned>>(join(repo.served, snapshotFile)), snapshotFile, repo.dir);
  const targets = await repo.latestTargets();
  return { root, targets, snapshot, timestamp };
}

/** Verifies a bundle file in one pass (signature, layout, every payload) and hashes the whole file on the way. */
async function verifyBundleFile(path: string, trusted: Awaited<ReturnType<typeof loadTrustedKey>>[]) {
  const hash = createHash('sha256');
  const reader = await BundleReader.open(path, { trusted, onRead: (chunk) => hash.update(chunk) });
  const manifest = await reader.verify();
  if (!reader.fullyVerified) throw new Error(`${path} was not fully verified`);
  return { manifest, length: reader.length, sha256: hash.digest('hex') };
}
