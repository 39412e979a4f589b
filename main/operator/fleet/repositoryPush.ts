import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TARGET_FILE_NAME, VERSIONED_METADATA_NAME, type RepositoryFiles } from '../../../src/fleet/updateApi.js';

/** The fleet server's side of a push, over whatever carries it (HTTP with an operator's session, or a test's inject). */
export interface RepositoryUploader {
  listFiles(): Promise<RepositoryFiles>;
  /** Uploads the file at `path` as `name`. */
  putFile(name: string, path: string, length: number): Promise<void>;
  /** Publishes this timestamp.json (its exact bytes); answers the server's answer. */
  publish(timestampJson: string): Promise<unknown>;
}

export interface PushReport {
  uploaded: string[];
  /** Files the server already held with the same bytes. */
  alreadyThere: number;
  published: unknown;
}

/**
 * Copies a TUF repository folder as `headsetctl repo publish` wrote it (DIR/repository/) to a fleet
 * server: the files the server lacks, targets first, then roots, targets and snapshots by version,
 * and the timestamp last, which the server publishes only once everything it reaches is there.
 * An interrupted push leaves the served repository as it was; pushing again uploads what is missing.
 */
export async function pushRepository(served: string, uploader: RepositoryUploader): Promise<PushReport> {
  const held = new Map((await uploader.listFiles()).files.map((f) => [f.name, f.sha256]));
  const targets = (await readdir(join(served, 'targets')).catch(() => [] as string[]))
    .map((f) => `targets/${f}`)
    .filter((n) => TARGET_FILE_NAME.test(n));
  const metadata = (await readdir(served)).filter((n) => VERSIONED_METADATA_NAME.test(n)).sort((a, b) => metadataOrder(a) - metadataOrder(b));
  const uploaded: string[] = [];
  let alreadyThere = 0;
  for (const name of [...targets, ...metadata]) {
    const path = join(served, name);
    const heldSha = held.get(name);
    // A target's name carries its hash; metadata is hashed here (small).
    const sha256 =
      TARGET_FILE_NAME.exec(name)?.[1] ??
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex');
    if (heldSha === sha256) {
      alreadyThere++;
      continue;
    }
    await uploader.putFile(name, path, (await stat(path)).size);
    uploaded.push(name);
  }
  const published = await uploader.publish(await readFile(join(served, 'timestamp.json'), 'utf8'));
  return { uploaded, alreadyThere, published };
}

/** Roots first (a headset walks them in order), then targets, then snapshots, each by version. */
function metadataOrder(name: string): number {
  const [, version, role] = VERSIONED_METADATA_NAME.exec(name)!;
  return { root: 0, targets: 1, snapshot: 2 }[role as 'root' | 'targets' | 'snapshot'] * 1e10 + Number(version);
}

/** A file's bytes as a stream, for an uploader sending over HTTP. */
export function fileStream(path: string): NodeJS.ReadableStream {
  return createReadStream(path);
}
