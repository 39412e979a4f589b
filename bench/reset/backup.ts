import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { SecretRegistry } from '../../src/secrets/SecretRegistry.js';
import { BackupService } from '../../main/services/backup/BackupService.js';
import { LocalFolderDestination, REPOSITORY_FOLDER } from '../../main/services/backup/BackupDestinations.js';
import { classManifestDigest } from '../../main/services/backup/ClassManifest.js';
import type { BackupClass } from '../../main/services/backup/ports.js';
import { Logger } from '../../main/services/logging/Logger.js';
import type { BenchResult } from '../harness.js';

const MiB = 1024 ** 2;
const PASSPHRASE = 'bench passphrase for restic';
const CLASSES: BackupClass[] = [
  { id: 'profile', paths: ['profile'], backedUpByDefault: true },
  { id: 'apps', paths: ['apps'], backedUpByDefault: true },
];

/**
 * A data partition as a headset fills it: 30,000 small files (settings, saves, thumbnails, 1 to
 * 24 KiB, half of them compressible text) in nested folders, and 10 large ones (media and app
 * assets, 64 to 128 MiB, incompressible): about 1.1 GiB.
 */
function fillPartition(dataDir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const text = Buffer.from('{"setting":"value","level":12,"name":"a wearer\'s save"}\n'.repeat(512));
  for (let i = 0; i < 30_000; i++) {
    const dir = join(dataDir, i % 5 === 0 ? 'profile' : 'apps', `app${i % 40}`, `d${i % 97}`);
    mkdirSync(dir, { recursive: true });
    const size = 1024 + ((i * 7919) % (23 * 1024));
    const content = i % 2 === 0 ? text.subarray(0, size) : randomBytes(size);
    writeFileSync(join(dir, `f${i}.dat`), content);
    files++;
    bytes += size;
  }
  const assets = join(dataDir, 'apps', 'assets');
  mkdirSync(assets, { recursive: true });
  for (let i = 0; i < 10; i++) {
    const size = (64 + (i % 2) * 64) * MiB;
    writeFileSync(join(assets, `asset${i}.bin`), randomBytes(size));
    files++;
    bytes += size;
  }
  return { files, bytes };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function timed(run: () => void): number {
  const started = performance.now();
  run();
  return (performance.now() - started) / 1000;
}

/** restic alone: init and backup of the same paths, the passphrase from a file, with its local cache (restic's default, as the service runs it). */
function resticAlone(dataDir: string, repository: string, passwordFile: string): number {
  return timed(() => {
    for (const args of [['init'], ['backup', '--json', '--host', 'bench', 'profile', 'apps']]) {
      const result = spawnSync('restic', ['--repo', repository, '--password-file', passwordFile, '--cache-dir', `${repository}-cache`, ...args], {
        cwd: dataDir,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      if (result.status !== 0) throw new Error(`restic ${args[0]} failed: ${result.stderr}`);
    }
  });
}

function tarZstd(dataDir: string, out: string): number {
  return timed(() => execFileSync('sh', ['-c', 'tar -C "$1" -cf - profile apps | zstd -3 -q -T1 -o "$2"', 'sh', dataDir, out]));
}

/**
 * Backup of a realistic data partition through the backup service (to a local repository) against
 * `restic backup` alone of the same files, interleaved rounds, median: the service's own cost is its
 * checks and bookkeeping around restic (goal ≤ 1.1× up to the snapshot saved). Verification after
 * the backup (restic check reading packs back, a sample restore compared) is reported on its own.
 * `tar | zstd -3` of the same files is informative (no deduplication, no encryption). Then an
 * incremental backup with nothing changed (goal ≤ 2 s), with where its time goes.
 */
export async function benchBackup(log: (line: string) => void, rounds = Number(process.env.BENCH_ROUNDS ?? 3)): Promise<BenchResult[]> {
  const root = mkdtempSync(join(process.env.BENCH_DIR ?? '/var/tmp', 'bench-backup-'));
  try {
    const dataDir = join(root, 'data');
    const partition = fillPartition(dataDir);
    execFileSync('sync');
    log(`partition: ${partition.files} files, ${(partition.bytes / MiB).toFixed(0)} MiB`);
    const passwordFile = join(root, 'password');
    writeFileSync(passwordFile, PASSPHRASE, { mode: 0o600 });
    const logger = new Logger({ version: 'bench', commit: 'bench', bootId: 'bench' }, []).for('backup');

    const ours: number[] = [];
    const oursTotal: number[] = [];
    const alone: number[] = [];
    const tars: number[] = [];
    let incremental = { service: 0, manifest: 0, open: 0, resticAlone: 0 };
    for (let round = 0; round < rounds; round++) {
      const work = join(root, `work-${round}`);
      const local = join(root, `local-${round}`);
      const service = new BackupService({
        dataDir,
        workDir: work,
        destinations: [new LocalFolderDestination(local)],
        classes: { classes: () => CLASSES },
        model: 'bench',
        appVersion: 'bench',
        host: () => 'bench',
        secrets: new SecretRegistry(),
        log: logger,
      });
      await service.start();
      // The snapshot is saved when the backup is listed (before its verification key and its verification).
      let copied = 0;
      const unsubscribe = service.overview.subscribe((overview) => {
        if (!copied && overview.backups.length > 0) copied = performance.now();
      });
      const started = performance.now();
      await service.backUp({ destination: 'local', passphrase: PASSPHRASE });
      const done = performance.now();
      unsubscribe();
      ours.push((copied - started) / 1000);
      oursTotal.push((done - started) / 1000);

      const reference = join(root, `restic-${round}`);
      alone.push(resticAlone(dataDir, reference, passwordFile));
      tars.push(tarZstd(dataDir, join(root, `tar-${round}.tar.zst`)));
      log(
        `round ${round + 1}: service ${ours.at(-1)!.toFixed(1)} s to the snapshot (${oursTotal.at(-1)!.toFixed(1)} s with verification), restic alone ${alone.at(-1)!.toFixed(1)} s, tar | zstd -3 ${tars.at(-1)!.toFixed(1)} s`,
      );

      if (round === rounds - 1) {
        // Nothing changed since: the service finds the class manifest unchanged since its verified
        // backup and asks the repository only whether that snapshot is there (which opens it with the
        // passphrase); restic alone walks every file again and saves a snapshot of the same tree.
        const again = performance.now();
        const unchanged = await service.backUp({ destination: 'local', passphrase: PASSPHRASE });
        const serviceS = (performance.now() - again) / 1000;
        if (service.current().backups.length !== 1) throw new Error(`a backup of unchanged data made a snapshot (${unchanged.id})`);
        const restic = (args: string[]) =>
          timed(() => {
            const result = spawnSync('restic', ['--repo', reference, '--password-file', passwordFile, '--cache-dir', `${reference}-cache`, ...args], {
              cwd: dataDir,
              stdio: ['ignore', 'ignore', 'pipe'],
            });
            if (result.status !== 0) throw new Error(`restic ${args[0]} failed: ${result.stderr}`);
          });
        // Where the time goes: the service's two parts, and restic's own opening of the repository (its key derived from the passphrase).
        const manifestStarted = performance.now();
        await classManifestDigest(dataDir, ['profile', 'apps'], 'bench');
        const manifestS = (performance.now() - manifestStarted) / 1000;
        const openS = restic(['--no-lock', 'snapshots', '--json', 'latest']);
        const resticAloneS = restic(['backup', '--json', '--host', 'bench', 'profile', 'apps']);
        incremental = { service: serviceS, manifest: manifestS, open: openS, resticAlone: resticAloneS };
        log(
          `incremental, nothing changed: service ${serviceS.toFixed(2)} s (class manifest ${manifestS.toFixed(2)} s, restic opening the repository ${openS.toFixed(2)} s); restic backup alone ${resticAloneS.toFixed(2)} s`,
        );
      }
      rmSync(join(local, REPOSITORY_FOLDER), { recursive: true, force: true });
      rmSync(reference, { recursive: true, force: true });
      rmSync(`${reference}-cache`, { recursive: true, force: true });
      rmSync(join(root, `tar-${round}.tar.zst`), { force: true });
    }
    const ratio = median(ours) / median(alone);
    const details = {
      files: partition.files,
      mib: Math.round(partition.bytes / MiB),
      rounds,
      serviceToSnapshotS: +median(ours).toFixed(2),
      serviceWithVerificationS: +median(oursTotal).toFixed(2),
      resticAloneS: +median(alone).toFixed(2),
      tarZstdS: +median(tars).toFixed(2),
    };
    return [
      {
        name: `backup: ${(partition.bytes / 1024 ** 3).toFixed(1)} GiB partition vs restic backup alone`,
        metric: 'time ratio, up to the snapshot saved (median)',
        value: +ratio.toFixed(2),
        unit: 'x',
        goal: '≤ 1.1x',
        met: ratio <= 1.1,
        details,
      },
      {
        name: 'backup with its verification vs restic backup alone',
        metric: 'time ratio, check --read-data and sample restore included (informative)',
        value: +(median(oursTotal) / median(alone)).toFixed(2),
        unit: 'x',
        goal: 'informative',
        met: true,
        details,
      },
      {
        name: 'backup vs tar piped to zstd -3',
        metric: 'time ratio, up to the snapshot saved (informative: no dedup, no encryption)',
        value: +(median(ours) / median(tars)).toFixed(2),
        unit: 'x',
        goal: 'informative',
        met: true,
        details,
      },
      {
        name: 'incremental backup, nothing changed',
        metric: 'seconds, the whole backup call (nothing new to store or verify)',
        value: +incremental.service.toFixed(2),
        unit: 's',
        goal: '≤ 2 s',
        met: incremental.service <= 2,
        details: {
          classManifestS: +incremental.manifest.toFixed(2),
          resticOpenS: +incremental.open.toFixed(2),
          resticAloneS: +incremental.resticAlone.toFixed(2),
          loadAverage: +(loadavg()[0] ?? 0).toFixed(1),
        },
      },
      {
        name: 'incremental backup, nothing changed, vs restic backup alone',
        metric: 'time ratio (restic alone: a second backup of the unchanged files)',
        value: +(incremental.service / incremental.resticAlone).toFixed(2),
        unit: 'x',
        goal: 'informative',
        met: true,
        details: { serviceS: +incremental.service.toFixed(2), resticAloneS: +incremental.resticAlone.toFixed(2) },
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
