import { AppError } from '../../../src/api/errors.js';
import { damagedPacksIn, resticFailure } from '../../../src/backup/resticFailure.js';
import type { Passphrase } from './Passphrase.js';
import type { ResticProcess } from './ResticProcess.js';

export interface ResticSnapshot {
  id: string;
  time: string;
  hostname: string;
  tags: string[];
  paths: string[];
}

export interface ResticNode {
  /** Inside the snapshot, from its root: `/profile/settings.json`. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | string;
  size: number;
  mtime: string;
}

/** restic's own progress of a backup (its JSON status lines). */
export interface ResticBackupProgress {
  fraction: number;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  secondsRemaining?: number;
}

export interface ResticBackupSummary {
  snapshotId: string;
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  /** What the snapshot holds (bytes of its files). */
  totalBytes: number;
  totalFiles: number;
  /** What this run added to the repository (after deduplication and compression). */
  bytesAdded: number;
  seconds: number;
}

export interface ResticCheckResult {
  ok: boolean;
  damagedPacks: string[];
  /** restic's report (its stdout and stderr), for the log. */
  report: string;
}

/** One repository (a folder or a REST URL), driven through restic: every operation of the backup engine. */
export class ResticRepository {
  constructor(
    private readonly restic: ResticProcess,
    readonly location: string,
  ) {}

  /** Creates the repository; its master key is sealed with the passphrase. */
  async init(passphrase: Passphrase, signal?: AbortSignal): Promise<void> {
    await this.restic.expectSuccess(['init'], { repository: this.location, passphrase, signal });
  }

  /** Whether a repository is there: `cat config` needs the passphrase, so a wrong one is told apart (BACKUP_WRONG_PASSPHRASE). */
  async exists(passphrase: Passphrase, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.restic.expectSuccess(['cat', 'config'], { repository: this.location, passphrase, signal });
      return true;
    } catch (error) {
      if (error instanceof AppError && error.code === 'BACKUP_NO_REPOSITORY') return false;
      throw error;
    }
  }

  /**
   * Backs up `paths` (relative to `cwd`: the snapshot stores them from its root, so it restores
   * onto any headset whatever its data partition's mount point) with `tags` under `host`.
   */
  async backup(
    request: { cwd: string; paths: readonly string[]; tags: readonly string[]; host: string; excludes?: readonly string[]; time?: Date },
    passphrase: Passphrase,
    onProgress?: (progress: ResticBackupProgress) => void,
    signal?: AbortSignal,
  ): Promise<ResticBackupSummary> {
    let summary: ResticBackupSummary | undefined;
    const args = ['backup', '--json', '--host', request.host];
    for (const tag of request.tags) args.push('--tag', tag);
    for (const pattern of request.excludes ?? []) args.push('--exclude', pattern);
    if (request.time) args.push('--time', resticTime(request.time));
    args.push('--', ...request.paths);
    await this.restic.expectSuccess(args, {
      repository: this.location,
      passphrase,
      cwd: request.cwd,
      signal,
      onJson: (message) => {
        if (message.message_type === 'status') {
          onProgress?.({
            fraction: num(message.percent_done),
            filesDone: num(message.files_done),
            filesTotal: num(message.total_files),
            bytesDone: num(message.bytes_done),
            bytesTotal: num(message.total_bytes),
            secondsRemaining: typeof message.seconds_remaining === 'number' ? message.seconds_remaining : undefined,
          });
        } else if (message.message_type === 'summary') {
          summary = {
            snapshotId: String(message.snapshot_id),
            filesNew: num(message.files_new),
            filesChanged: num(message.files_changed),
            filesUnmodified: num(message.files_unmodified),
            totalBytes: num(message.total_bytes_processed),
            totalFiles: num(message.total_files_processed),
            bytesAdded: num(message.data_added),
            seconds: num(message.total_duration),
          };
        }
      },
    });
    if (!summary) throw new AppError('BACKUP_TOOL_FAILED', 'restic finished without a summary.');
    return summary;
  }

  async snapshots(passphrase: Passphrase, signal?: AbortSignal): Promise<ResticSnapshot[]> {
    const { stdout } = await this.restic.expectSuccess(['snapshots', '--json'], { repository: this.location, passphrase, signal });
    const list = JSON.parse(stdout || '[]') as Array<Partial<ResticSnapshot>>;
    return list.map((entry) => ({
      id: String(entry.id),
      time: String(entry.time),
      hostname: String(entry.hostname ?? ''),
      tags: entry.tags ?? [],
      paths: entry.paths ?? [],
    }));
  }

  /**
   * Whether the repository holds snapshot `id` (a prefix, as restic prints it). Opening the
   * repository checks the passphrase (BACKUP_WRONG_PASSPHRASE); read-only, so it takes no lock.
   */
  async hasSnapshot(passphrase: Passphrase, id: string, signal?: AbortSignal): Promise<boolean> {
    const { stdout } = await this.restic.expectSuccess(['snapshots', '--no-lock', '--json', id], { repository: this.location, passphrase, signal });
    const list = JSON.parse(stdout || '[]') as Array<{ id?: string }>;
    return list.some((entry) => String(entry.id).startsWith(id));
  }

  /** The snapshot whose id (full or a unique prefix, as restic prints) is `id`. */
  async snapshot(passphrase: Passphrase, id: string, signal?: AbortSignal): Promise<ResticSnapshot> {
    const matches = (await this.snapshots(passphrase, signal)).filter((entry) => entry.id.startsWith(id));
    if (matches.length !== 1) throw new AppError('BACKUP_NOT_FOUND', undefined, { backup: id });
    return matches[0]!;
  }

  /** Every file, folder and link in a snapshot. */
  async ls(passphrase: Passphrase, snapshotId: string, signal?: AbortSignal): Promise<ResticNode[]> {
    const nodes: ResticNode[] = [];
    await this.restic.expectSuccess(['ls', '--json', snapshotId], {
      repository: this.location,
      passphrase,
      signal,
      onJson: (message) => {
        if (message.struct_type !== 'node') return;
        nodes.push({ path: String(message.path), type: String(message.type), size: num(message.size), mtime: String(message.mtime) });
      },
    });
    return nodes;
  }

  /**
   * `restic check`: the repository's structure, and with `readData` the bytes of every pack (`all`)
   * or of a subset (`n/t`, `x%`, or a size), each decrypted and its hash compared.
   */
  async check(passphrase: Passphrase, readData: 'none' | 'all' | string, signal?: AbortSignal): Promise<ResticCheckResult> {
    const args = ['check'];
    if (readData === 'all') args.push('--read-data');
    else if (readData !== 'none') args.push(`--read-data-subset=${readData}`);
    const result = await this.restic.run(args, { repository: this.location, passphrase, signal });
    const report = `${result.stdout}\n${result.stderr}`;
    if (result.exitCode === 0) return { ok: true, damagedPacks: [], report };
    if (/repository contains errors/i.test(report)) return { ok: false, damagedPacks: damagedPacksIn(report), report };
    // Not a finding about the data: a wrong passphrase, a missing repository, a pulled stick.
    throw resticFailure(result.exitCode, result.stderr);
  }

  /** The files (by snapshot) that have data in the given packs: what a damaged pack hits. */
  async filesInPacks(passphrase: Passphrase, packs: readonly string[], signal?: AbortSignal): Promise<Array<{ path: string; snapshot: string }>> {
    if (packs.length === 0) return [];
    const { stdout } = await this.restic.expectSuccess(['find', '--json', ...packs.flatMap((pack) => ['--pack', pack])], {
      repository: this.location,
      passphrase,
      signal,
    });
    const found = JSON.parse(stdout || '[]') as Array<{ path?: string; snapshot?: string; object_type?: string }>;
    const seen = new Set<string>();
    const out: Array<{ path: string; snapshot: string }> = [];
    for (const entry of found) {
      if (!entry.path || !entry.snapshot) continue;
      const key = `${entry.snapshot} ${entry.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ path: entry.path, snapshot: entry.snapshot });
    }
    return out;
  }

  /** Restores the snapshot's `includes` (paths from its root; all when empty) under `target`. */
  async restore(passphrase: Passphrase, snapshotId: string, target: string, includes: readonly string[], signal?: AbortSignal): Promise<void> {
    const args = ['restore', snapshotId, '--target', target];
    for (const include of includes) args.push('--include', include);
    await this.restic.expectSuccess(args, { repository: this.location, passphrase, signal });
  }

  /** Applies a retention policy to `host`'s snapshots and prunes what no snapshot needs any more. */
  async forget(
    passphrase: Passphrase,
    policy: { keepLast: number; keepDaily: number; keepWeekly: number },
    host: string,
    signal?: AbortSignal,
  ): Promise<string[]> {
    const args = ['forget', '--json', '--prune', '--host', host, '--keep-last', String(policy.keepLast)];
    if (policy.keepDaily > 0) args.push('--keep-daily', String(policy.keepDaily));
    if (policy.keepWeekly > 0) args.push('--keep-weekly', String(policy.keepWeekly));
    const { stdout } = await this.restic.expectSuccess(args, { repository: this.location, passphrase, signal });
    // --json prints the groups as the first line, then prune's plain report.
    const firstJson = stdout.split('\n').find((line) => line.trim().startsWith('['));
    const groups = firstJson ? (JSON.parse(firstJson) as Array<{ remove?: Array<{ id: string }> | null }>) : [];
    return groups.flatMap((group) => (group.remove ?? []).map((snapshot) => snapshot.id));
  }

  /** Adds a key (another passphrase) that opens the same repository. */
  async addKey(passphrase: Passphrase, newPassphrase: Passphrase, signal?: AbortSignal): Promise<void> {
    await this.restic.expectSuccess(['key', 'add'], { repository: this.location, passphrase, newPassphrase, signal });
  }
}

/** restic's --time format: local time, to the second. */
function resticTime(time: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${time.getFullYear()}-${two(time.getMonth() + 1)}-${two(time.getDate())} ${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}`;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
