import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { text as readText } from 'node:stream/consumers';
import { FleetError } from '../../src/fleet/errors.js';
import { TARGET_FILE_NAME, VERSIONED_METADATA_NAME, type PublishRequest, type Release, type RepositoryFiles } from '../../src/fleet/updateApi.js';
import { targetCustomSchema } from '../../src/update/manifest.js';
import { appendAudit } from '../audit.js';
import type { BlobStore } from '../blobs/BlobStore.js';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/Database.js';

/**
 * The TUF repository the server hosts, as `headsetctl repo publish` writes it: files uploaded one by
 * one (their bytes in the blob store under their SHA-256, their names in `update_files`), then a
 * timestamp published, which makes all it reaches visible to headsets at once. The server signs
 * nothing: the keys stay with the vendor, headsets verify every signature (tuf-js).
 */

/** Metadata files are small; bundles are system images. */
export const MAX_METADATA_BYTES = 1024 * 1024;
export const MAX_TARGET_BYTES = 8 * 1024 ** 3;

const blobKey = (sha256: string) => `updates/sha256/${sha256}`;

export function isRepositoryFileName(name: string): boolean {
  return VERSIONED_METADATA_NAME.test(name) || TARGET_FILE_NAME.test(name);
}

/**
 * Stores one uploaded file. A target's bytes must hash to the SHA-256 its name carries; a name once
 * stored keeps its bytes (the same bytes again are accepted, other bytes are UPDATE_FILE_CONFLICT,
 * also when two server processes store one name at once).
 */
export async function storeRepositoryFile(
  db: Queryable,
  blobs: BlobStore,
  clock: Clock,
  operator: string,
  name: string,
  bytes: Readable,
): Promise<{ name: string; sha256: string; length: number; stored: boolean }> {
  if (!isRepositoryFileName(name)) throw new FleetError('UPDATE_FILE_NAME_INVALID');
  const staging = `uploads/${randomUUID()}`;
  const blob = await blobs.put(staging, bytes);
  try {
    const named = TARGET_FILE_NAME.exec(name)?.[1];
    if (named !== undefined && named !== blob.sha256)
      throw new FleetError('UPDATE_FILE_MISMATCH', undefined, { expectedSha256: named, receivedSha256: blob.sha256 });
    const inserted = await db.query(
      'INSERT INTO update_files (name, sha256, length, uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING',
      [name, blob.sha256, blob.length, clock.now(), operator],
    );
    if (inserted.rowCount === 0) {
      const existing = (await db.query<{ sha256: string }>('SELECT sha256 FROM update_files WHERE name = $1', [name])).rows[0]!;
      if (existing.sha256 !== blob.sha256) throw new FleetError('UPDATE_FILE_CONFLICT', undefined, { name, storedSha256: existing.sha256 });
    }
    // The row may name bytes an instant before they land: a reader of an unpublished name waits a moment; the timestamp is what makes it visible.
    if ((await blobs.size(blobKey(blob.sha256))) === blob.length) await blobs.delete(staging);
    else await blobs.move(staging, blobKey(blob.sha256));
    return { name, sha256: blob.sha256, length: blob.length, stored: inserted.rowCount === 1 };
  } catch (error) {
    await blobs.delete(staging).catch(() => undefined);
    throw error;
  }
}

export async function listRepositoryFiles(db: Queryable): Promise<RepositoryFiles> {
  const files = (
    await db.query<{ name: string; sha256: string; length: string | number }>('SELECT name, sha256, length FROM update_files ORDER BY name')
  ).rows.map((r) => ({ name: r.name, sha256: r.sha256, length: Number(r.length) }));
  return { files, publishedTimestampVersion: await publishedVersion(db) };
}

async function publishedVersion(db: Queryable): Promise<number | null> {
  const row = (await db.query<{ version: string | number | null }>('SELECT max(timestamp_version) AS version FROM update_publications')).rows[0];
  return row?.version == null ? null : Number(row.version);
}

/** The stored bytes of a repository file by name: its blob's key and length, or undefined. */
export async function findRepositoryFile(db: Queryable, name: string): Promise<{ key: string; length: number } | undefined> {
  const row = (await db.query<{ sha256: string; length: string | number }>('SELECT sha256, length FROM update_files WHERE name = $1', [name]))
    .rows[0];
  return row ? { key: blobKey(row.sha256), length: Number(row.length) } : undefined;
}

/** The served timestamp.json, as uploaded. */
export async function servedTimestamp(db: Queryable): Promise<string | undefined> {
  return (await db.query<{ body: string }>('SELECT body FROM update_publications ORDER BY timestamp_version DESC LIMIT 1')).rows[0]?.body;
}

export async function currentReleases(db: Queryable): Promise<{ timestampVersion: number | null; releases: Release[] }> {
  const row = (
    await db.query<{ timestamp_version: string | number; releases: Release[] }>(
      'SELECT timestamp_version, releases FROM update_publications ORDER BY timestamp_version DESC LIMIT 1',
    )
  ).rows[0];
  return row ? { timestampVersion: Number(row.timestamp_version), releases: row.releases } : { timestampVersion: null, releases: [] };
}

interface MetaEntry {
  version: number;
  length?: number;
  hashes?: { sha256?: string };
}

/**
 * Makes `timestamp` the served one, after checking that everything it reaches is stored: its
 * snapshot (and that snapshot's hash and length, when the timestamp gives them), the targets
 * metadata the snapshot names, and every target that lists. Versions only go up: of two
 * publications at once (two processes), the older one is UPDATE_PUBLICATION_STALE.
 */
export async function publishTimestamp(
  db: Database,
  blobs: BlobStore,
  clock: Clock,
  operator: string,
  timestamp: PublishRequest,
  body: string,
): Promise<{ timestampVersion: number; releases: Release[] }> {
  const missing: string[] = [];
  const mismatched: string[] = [];
  const snapshotName = `${timestamp.signed.meta['snapshot.json'].version}.snapshot.json`;
  const snapshot = await readJsonFile<{ signed?: { meta?: Record<string, MetaEntry> } }>(
    db,
    blobs,
    snapshotName,
    timestamp.signed.meta['snapshot.json'] as MetaEntry,
    missing,
    mismatched,
  );
  const targetsMeta = snapshot?.signed?.meta?.['targets.json'];
  let targets: { signed?: { targets?: Record<string, { length: number; hashes: { sha256: string }; custom?: unknown }> } } | undefined;
  if (snapshot && !targetsMeta) mismatched.push(`${snapshotName} names no targets.json`);
  if (targetsMeta) targets = await readJsonFile(db, blobs, `${targetsMeta.version}.targets.json`, targetsMeta, missing, mismatched);
  const listed = Object.entries(targets?.signed?.targets ?? {});
  for (const [target, file] of listed) {
    const name = `targets/${file.hashes?.sha256}.${target}`;
    const stored = await findRepositoryFile(db, name);
    if (!stored) missing.push(name);
    else if (stored.length !== file.length) mismatched.push(name);
  }
  if (missing.length > 0 || mismatched.length > 0) throw new FleetError('UPDATE_REPOSITORY_INCOMPLETE', undefined, { missing, mismatched });

  const releases = releasesOf(listed, clock.now());
  const version = timestamp.signed.version;
  const now = clock.now();
  await db.transaction(async (tx) => {
    // Serialised: the version check and the insert are one step for every server process.
    await tx.query('LOCK TABLE update_publications IN EXCLUSIVE MODE');
    const current = await publishedVersion(tx);
    if (current !== null && version <= current) throw new FleetError('UPDATE_PUBLICATION_STALE', undefined, { servedVersion: current });
    await tx.query('INSERT INTO update_publications (timestamp_version, body, releases, published_at, published_by) VALUES ($1, $2, $3, $4, $5)', [
      version,
      body,
      JSON.stringify(releases),
      now,
      operator,
    ]);
    await appendAudit(tx, {
      at: now,
      actor: operator,
      action: 'update.published',
      subject: `timestamp v${version}`,
      details: { releases: releases.map((r) => `${r.model} ${r.version}`) },
    });
  });
  return { timestampVersion: version, releases };
}

async function readJsonFile<T>(
  db: Queryable,
  blobs: BlobStore,
  name: string,
  meta: MetaEntry,
  missing: string[],
  mismatched: string[],
): Promise<T | undefined> {
  const row = (await db.query<{ sha256: string; length: string | number }>('SELECT sha256, length FROM update_files WHERE name = $1', [name]))
    .rows[0];
  if (!row) {
    missing.push(name);
    return undefined;
  }
  if ((meta.length !== undefined && meta.length !== Number(row.length)) || (meta.hashes?.sha256 !== undefined && meta.hashes.sha256 !== row.sha256)) {
    mismatched.push(name);
    return undefined;
  }
  const stream = await blobs.read(blobKey(row.sha256));
  if (!stream) {
    missing.push(name);
    return undefined;
  }
  try {
    return JSON.parse(await readText(stream)) as T;
  } catch {
    mismatched.push(`${name} is not JSON`);
    return undefined;
  }
}

/** What the targets list per model and version: the full bundle's size, and the versions deltas start from. */
function releasesOf(listed: [string, { length: number; custom?: unknown }][], now: Date): Release[] {
  const byKey = new Map<string, Release>();
  for (const [, file] of listed) {
    const custom = targetCustomSchema.safeParse(file.custom);
    if (!custom.success) continue;
    const key = `${custom.data.compatible}\n${custom.data.version}`;
    const release = byKey.get(key) ?? {
      model: custom.data.compatible,
      version: custom.data.version,
      length: 0,
      deltaFrom: [],
      publishedAt: now.toISOString(),
    };
    if (custom.data.kind === 'full') release.length = file.length;
    else if (custom.data.deltaFrom) release.deltaFrom.push(custom.data.deltaFrom);
    byKey.set(key, release);
  }
  // A version with deltas only cannot be installed everywhere: rollouts choose full releases.
  return [...byKey.values()].filter((r) => r.length > 0).sort((a, b) => a.model.localeCompare(b.model) || a.version.localeCompare(b.version));
}
