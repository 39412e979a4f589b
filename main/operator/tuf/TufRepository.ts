import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  TOP_LEVEL_ROLES,
  TUF_SPEC_VERSION,
  expiresAfter,
  TIMESTAMP_SIGNED_AT,
  sign,
  tufKey,
  type RoleName,
  type RootSigned,
  type Signed,
  type Signer,
  type SnapshotSigned,
  type TargetFile,
  type TargetsSigned,
  type TimestampSigned,
} from '../../../src/update/tuf/metadata.js';
import { tufCanonicalJson } from '../../../src/update/tuf/canonicalJson.js';
import { AppError } from '../../../src/api/errors.js';
import { assertNoRepository, requireMetadata } from '../../../src/update/tuf/repositoryChecks.js';
import { fsyncDirectory, readJsonIfExists, writeFileAtomic } from '../../services/storage/atomicFile.js';

/** A role's key: its public half (hex) and whatever signs with the private half. */
export interface RoleKey {
  publicKeyHex: string;
  signer: Signer;
}
export type RoleKeys = Record<RoleName, RoleKey[]>;

/** How long each role's metadata stays valid; the short ones are re-signed by `publish`. */
export interface ExpiryDays {
  root: number;
  targets: number;
  snapshot: number;
  timestamp: number;
}
export const DEFAULT_EXPIRY_DAYS: ExpiryDays = { root: 365, targets: 90, snapshot: 7, timestamp: 1 };

interface Staged {
  targets: Record<string, TargetFile>;
  /** Published targets to withdraw at the next publish (a revoked version). */
  removed?: string[];
}

/**
 * A TUF repository on disk, served as it is by any static web server from `DIR/repository/`:
 * consistent snapshots (`N.root.json`, `N.targets.json`, `N.snapshot.json`, `timestamp.json`,
 * targets stored as `targets/<sha256>.<name>`). Targets are staged by `add` and become visible
 * only with `publish`, which signs new targets, snapshot and timestamp versions.
 *
 *   init -> 1.root + empty targets/snapshot/timestamp
 *   add* -> staged.json       publish -> targets v+1 -> snapshot v+1 -> timestamp v+1 (written last)
 *   rotateRoot -> root v+1 signed by the old root keys and the new ones
 */
export class TufRepository {
  constructor(readonly dir: string) {}

  get served(): string {
    return join(this.dir, 'repository');
  }

  static keyId(publicKeyHex: string): string {
    return createHash('sha256')
      .update(tufCanonicalJson(tufKey(publicKeyHex)))
      .digest('hex');
  }

  async init(keys: RoleKeys, now = new Date(), expiry: ExpiryDays = DEFAULT_EXPIRY_DAYS): Promise<void> {
    assertNoRepository(await readJsonIfExists(join(this.served, 'root.json')), this.dir);
    await mkdir(join(this.served, 'targets'), { recursive: true });
    await writeFileAtomic(join(this.dir, 'repo.json'), JSON.stringify({ expiryDays: expiry }, null, 2));
    const root = await sign(
      rootSigned(keys, 1, now, expiry.root),
      keys.root.map((k) => k.signer),
    );
    await this.writeMetadata('root', root, 1);
    await this.writeTargetsSnapshotTimestamp(keys, {}, now, expiry, 1);
  }

  /**
   * Stages a file as a target; it is copied under its hash so a published target never changes.
   * The copy is streamed (bundles can be gigabytes) and hashed as it is made; with `expected`
   * (what the caller verified), a file that changed since is refused before anything is staged.
   */
  async add(
    file: string,
    custom: Record<string, unknown> = {},
    name = basename(file),
    expected?: { length: number; sha256: string },
  ): Promise<TargetFile> {
    const targetsDir = join(this.served, 'targets');
    // Outside the served folder until complete.
    const temporary = join(this.dir, `.target.${randomBytes(6).toString('hex')}.partial`);
    const hash = createHash('sha256');
    let length = 0;
    let target: TargetFile;
    try {
      await pipeline(
        createReadStream(file, { highWaterMark: 1024 * 1024 }),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            length += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(temporary, { flags: 'wx', mode: 0o644 }),
      );
      const sha256 = hash.digest('hex');
      if (expected && (expected.length !== length || expected.sha256 !== sha256))
        throw new Error(
          `${file} changed while it was being added (${length} bytes, SHA-256 ${sha256}; verified ${expected.length} bytes, ${expected.sha256}); nothing was staged`,
        );
      // On disk before any metadata can name it.
      const handle = await open(temporary, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, join(targetsDir, `${sha256}.${name}`));
      await fsyncDirectory(targetsDir);
      target = { length, hashes: { sha256 }, custom };
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
    const staged = await this.staged();
    staged.targets[name] = target;
    await writeFileAtomic(join(this.dir, 'staged.json'), JSON.stringify(staged, null, 2));
    return target;
  }

  /** Signs the staged targets into new targets, snapshot and timestamp versions. */
  /**
   * Withdraws a published target at the next publish: devices stop being offered it and refuse to
   * go back to it. Its file stays, so metadata already out there keeps resolving.
   */
  async remove(name: string): Promise<void> {
    const current = await this.latestTargets();
    if (!Object.hasOwn(current.signed.targets, name)) throw new AppError('INVALID_INPUT', `No published target named ${name}.`, { name });
    const staged = await this.staged();
    staged.removed = [...new Set([...(staged.removed ?? []), name])];
    await writeFileAtomic(join(this.dir, 'staged.json'), JSON.stringify(staged, null, 2));
  }

  async publish(keys: Pick<RoleKeys, 'targets' | 'snapshot' | 'timestamp'>, now = new Date()): Promise<{ targetsVersion: number }> {
    const current = await this.latestTargets();
    const staged = await this.staged();
    const targets = { ...current.signed.targets, ...staged.targets };
    for (const name of staged.removed ?? []) delete targets[name];
    const version = current.signed.version + 1;
    await this.writeTargetsSnapshotTimestamp(keys, targets, now, await this.expiry(), version);
    await writeFileAtomic(join(this.dir, 'staged.json'), JSON.stringify({ targets: {} }));
    return { targetsVersion: version };
  }

  /** A new root: new keys for any role, signed by the old root keys (trust chain) and the new ones. */
  async rotateRoot(oldRootSigners: Signer[], keys: RoleKeys, now = new Date()): Promise<number> {
    const previous = await this.latestRoot();
    const version = previous.signed.version + 1;
    const signers = [...oldRootSigners, ...keys.root.map((k) => k.signer)].filter((s, i, all) => all.findIndex((o) => o.keyid === s.keyid) === i);
    const root = await sign(rootSigned(keys, version, now, (await this.expiry()).root), signers);
    await this.writeMetadata('root', root, version);
    return version;
  }

  /** Targets added since the last publish, by name. */
  async stagedTargets(): Promise<Record<string, TargetFile>> {
    return (await this.staged()).targets;
  }

  async latestRoot(): Promise<Signed<RootSigned>> {
    return this.readServed<RootSigned>('root.json');
  }

  async latestTargets(): Promise<Signed<TargetsSigned>> {
    const timestamp = await this.readServed<TimestampSigned>('timestamp.json');
    const snapshot = await this.readServed<SnapshotSigned>(`${timestamp.signed.meta['snapshot.json'].version}.snapshot.json`);
    return this.readServed<TargetsSigned>(`${snapshot.signed.meta['targets.json']!.version}.targets.json`);
  }

  /** Versioned metadata files present, for tooling and tests. */
  async files(): Promise<string[]> {
    return (await readdir(this.served)).filter((f) => f.endsWith('.json')).sort();
  }

  private async writeTargetsSnapshotTimestamp(
    keys: Pick<RoleKeys, 'targets' | 'snapshot' | 'timestamp'>,
    targets: Record<string, TargetFile>,
    now: Date,
    expiry: ExpiryDays,
    targetsVersion: number,
  ): Promise<void> {
    const common = { spec_version: TUF_SPEC_VERSION };
    const targetsMeta = await sign<TargetsSigned>(
      { _type: 'targets', ...common, version: targetsVersion, expires: expiresAfter(now, expiry.targets), targets },
      signersOf(keys.targets),
    );
    await this.writeMetadata('targets', targetsMeta, targetsVersion);
    const previousSnapshot = await readJsonIfExists<Signed<TimestampSigned>>(join(this.served, 'timestamp.json')).then(
      (t) => t?.signed.meta['snapshot.json'].version ?? 0,
    );
    const snapshotVersion = previousSnapshot + 1;
    const snapshot = await sign<SnapshotSigned>(
      {
        _type: 'snapshot',
        ...common,
        version: snapshotVersion,
        expires: expiresAfter(now, expiry.snapshot),
        meta: { 'targets.json': { version: targetsVersion } },
      },
      signersOf(keys.snapshot),
    );
    const snapshotBytes = await this.writeMetadata('snapshot', snapshot, snapshotVersion);
    const timestamp = await sign<TimestampSigned>(
      {
        _type: 'timestamp',
        ...common,
        version: snapshotVersion,
        expires: expiresAfter(now, expiry.timestamp),
        [TIMESTAMP_SIGNED_AT]: expiresAfter(now, 0),
        meta: {
          'snapshot.json': {
            version: snapshotVersion,
            length: snapshotBytes.length,
            hashes: { sha256: createHash('sha256').update(snapshotBytes).digest('hex') },
          },
        },
      },
      signersOf(keys.timestamp),
    );
    // The timestamp is the one file a client polls: written last, it publishes everything before it.
    await writeFileAtomic(join(this.served, 'timestamp.json'), serialize(timestamp));
  }

  private async writeMetadata(
    role: Exclude<RoleName, 'timestamp'>,
    metadata: Signed<RootSigned | TargetsSigned | SnapshotSigned>,
    version: number,
  ): Promise<Buffer> {
    const bytes = Buffer.from(serialize(metadata));
    await writeFileAtomic(join(this.served, `${version}.${role}.json`), bytes);
    if (role === 'root') await writeFileAtomic(join(this.served, 'root.json'), bytes);
    return bytes;
  }

  private async staged(): Promise<Staged> {
    return (await readJsonIfExists<Staged>(join(this.dir, 'staged.json'))) ?? { targets: {} };
  }

  private async expiry(): Promise<ExpiryDays> {
    return (await readJsonIfExists<{ expiryDays: ExpiryDays }>(join(this.dir, 'repo.json')))?.expiryDays ?? DEFAULT_EXPIRY_DAYS;
  }

  private async readServed<T extends RootSigned | TargetsSigned | SnapshotSigned | TimestampSigned>(file: string): Promise<Signed<T>> {
    return requireMetadata(await readJsonIfExists<Signed<T>>(join(this.served, file)), file, this.dir);
  }
}

function rootSigned(keys: RoleKeys, version: number, now: Date, expiryDays: number): RootSigned {
  const allKeys: RootSigned['keys'] = {};
  const roles = {} as RootSigned['roles'];
  for (const role of TOP_LEVEL_ROLES) {
    const keyids = keys[role].map((k) => {
      const keyid = TufRepository.keyId(k.publicKeyHex);
      allKeys[keyid] = tufKey(k.publicKeyHex);
      return keyid;
    });
    roles[role] = { keyids, threshold: 1 };
  }
  return {
    _type: 'root',
    spec_version: TUF_SPEC_VERSION,
    version,
    expires: expiresAfter(now, expiryDays),
    consistent_snapshot: true,
    keys: allKeys,
    roles,
  };
}

function signersOf(keys: RoleKey[]): Signer[] {
  return keys.map((k) => k.signer);
}

/** Metadata files are plain JSON, pretty for people; signatures cover the canonical form. */
function serialize(metadata: unknown): string {
  return `${JSON.stringify(metadata, null, 1)}\n`;
}
