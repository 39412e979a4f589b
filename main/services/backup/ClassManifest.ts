import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';

/**
 * A digest of what the chosen classes hold, by metadata: for every file, folder and link under
 * their paths its name, type, size, mode, inode, modification and change times (nanoseconds), as
 * restic itself decides a file is unchanged (plus ctime and mode, which restic's check lacks), and
 * `context` (the backup's manifest: classes, model, software). Equal digests mean a new restic
 * backup would store a snapshot identical to the last one.
 *
 * GNU find lists the tree (0.3 s for 30,000 files on the loaded 2-core test machine, where an
 * lstat per file from Node took 1.5 to 4 s, and a synchronous walk blocked the service for 0.6 s).
 * Resolves null when the tree cannot be listed whole (a file vanished mid-walk, find missing):
 * the caller then backs up as usual.
 */
export function classManifestDigest(cwd: string, paths: readonly string[], context: string, signal?: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      'find',
      // './' before each: a class path is never taken for an option.
      [...paths.map((path) => `./${path}`), '-printf', '%y %s %m %i %T@ %C@ %p\\0'],
      { cwd, encoding: 'buffer', maxBuffer: 512 * 1024 * 1024, signal, env: { LC_ALL: 'C', PATH: process.env.PATH ?? '/usr/bin:/bin' } },
      (error, stdout) => {
        if (error) return resolve(null);
        const records: Buffer[] = [];
        for (let start = 0; start < stdout.length;) {
          const end = stdout.indexOf(0, start);
          if (end === -1) break;
          records.push(stdout.subarray(start, end));
          start = end + 1;
        }
        records.sort(Buffer.compare);
        const hash = createHash('sha256').update(context).update('\0');
        for (const record of records) hash.update(record).update('\0');
        resolve(hash.digest('hex'));
      },
    );
  });
}
