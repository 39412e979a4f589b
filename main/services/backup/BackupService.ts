import { randomBytes } from 'node:crypto';
import { lstat, readdir, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  BackupActivity,
  BackupDestinationKind,
  BackupOverview,
  BackupRecord,
  FoundBackup,
  Verification,
} from '../../../src/api/contract/backup.js';
import { AppError } from '../../../src/api/errors.js';
import { BACKUP_SCHEMA_VERSION, checkRestorable, manifestFromTags, manifestTags } from '../../../src/backup/backupManifest.js';
import { assertIdle, checkRestoreRoom, checkStillThere, requirePresent, verificationFailure } from '../../../src/backup/backupGuards.js';
import { checkNewPassphrase, selectClasses } from '../../../src/backup/backupSelection.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import type { SecretRegistrar } from '../../../src/secrets/SecretRegistry.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { ensureDirectory } from '../storage/atomicFile.js';
import { classManifestDigest } from './ClassManifest.js';
import { BackupCatalog } from './BackupCatalog.js';
import { BackupVerifier, planAfterBackup, type ReadDataPlan } from './BackupVerifier.js';
import { ClassPutBack } from './ClassPutBack.js';
import { DeviceVerificationKeys } from './DeviceVerificationKeys.js';
import { Passphrase } from './Passphrase.js';
import { ResticProcess } from './ResticProcess.js';
import { ResticRepository, type ResticSnapshot } from './ResticRepository.js';
import type { BackupClassSource, BackupDestination } from './ports.js';

export interface BackupServiceOptions {
  /** The data partition: class paths are relative to it. */
  dataDir: string;
  /** The service's own files (catalog, verification keys, restic's cache, staging for restores): on the data partition. */
  workDir: string;
  destinations: readonly BackupDestination[];
  classes: BackupClassSource;
  model: string;
  appVersion: string;
  /** restic's host name for this headset's snapshots (the device id). */
  host: () => string;
  secrets: SecretRegistrar;
  log: SubsystemLogger;
  restic?: string;
  retention?: { keepLast: number; keepDaily: number; keepWeekly: number };
  verifyEveryDays?: number;
  /** How often a destination is looked at while a backup writes to it (a pulled stick ends the run). */
  presencePollMs?: number;
  now?: () => Date;
}

export const DEFAULT_RETENTION = { keepLast: 5, keepDaily: 7, keepWeekly: 4 };

/**
 * Backs up the wearer's data by class to restic repositories, verifies, applies retention and
 * restores. One operation at a time; its progress and the catalog are pushed as one overview.
 * Passphrases are held only for the call (registered as secrets, never stored).
 */
export class BackupService {
  readonly overview = new StateChannel<BackupOverview>();
  readonly #catalog: BackupCatalog;
  readonly #keys: DeviceVerificationKeys;
  readonly #restic: ResticProcess;
  readonly #verifier = new BackupVerifier();
  readonly #putBack: ClassPutBack;
  #activity: BackupActivity = { state: 'idle' };
  #last: BackupOverview['last'] = null;
  #present = new Map<BackupDestinationKind, boolean>();
  #busy = false;

  constructor(private readonly options: BackupServiceOptions) {
    this.#catalog = new BackupCatalog(join(options.workDir, 'catalog.json'));
    this.#keys = new DeviceVerificationKeys(join(options.workDir, 'keys'), options.secrets);
    this.#restic = new ResticProcess(options.restic, join(options.workDir, 'cache'));
    this.#putBack = new ClassPutBack(join(options.workDir, 'put-back.json'));
  }

  get verifyEveryDays(): number {
    return this.options.verifyEveryDays ?? 7;
  }

  async start(): Promise<void> {
    await this.#catalog.load();
    if (await this.#putBack.recover()) this.options.log.warn('finished a restore a power cut interrupted');
    await rm(join(this.options.workDir, 'staging'), { recursive: true, force: true });
    await this.refreshPresence();
  }

  /** Looks at which destinations are there (called at start and periodically). */
  async refreshPresence(): Promise<void> {
    let changed = false;
    for (const destination of this.options.destinations) {
      const present = (await destination.locate().catch(() => undefined)) !== undefined;
      if (this.#present.get(destination.kind) !== present) changed = true;
      this.#present.set(destination.kind, present);
    }
    if (changed || this.overview.current() === undefined) this.#publish();
  }

  current(): BackupOverview {
    return this.overview.current() ?? this.#publish();
  }

  /** Backs up `classes` (the defaults when absent) to `kind`, verifies it, applies retention. */
  async backUp(
    request: { destination: BackupDestinationKind; classes?: readonly string[]; passphrase: string },
    signal?: AbortSignal,
  ): Promise<BackupRecord> {
    return this.#exclusive('backup', request.destination, request.passphrase, async (held) => {
      checkNewPassphrase(request.passphrase);
      const passphrase = given(held);
      const destination = this.#destination(request.destination);
      const classes = selectClasses(request.classes, this.options.classes.classes());
      const paths = await this.#existingPaths(classes);
      if (paths.length === 0) throw new AppError('BACKUP_NOTHING_SELECTED', 'The chosen kinds of data hold nothing yet.', { classes });
      this.#progress('backing-up', request.destination, 'preparing', 0);
      const location = await this.#locate(destination);
      const repository = new ResticRepository(this.#restic, location);
      const previous = this.#catalog.latest(request.destination);
      const manifest = { schema: BACKUP_SCHEMA_VERSION, model: this.options.model, appVersion: this.options.appVersion, classes };
      // restic stores the time it is given: the record needs no second call to learn it.
      const time = new Date();
      time.setMilliseconds(0);
      const run = () =>
        this.#whilePresent(destination, signal, (runSignal) =>
          repository.backup(
            { cwd: this.options.dataDir, paths, tags: manifestTags(manifest), host: this.options.host(), time },
            passphrase,
            (progress) =>
              this.#progress('backing-up', request.destination, 'copying', progress.fraction, {
                bytesDone: progress.bytesDone,
                bytesTotal: progress.bytesTotal,
                filesDone: progress.filesDone,
                filesTotal: progress.filesTotal,
              }),
            runSignal,
          ),
        );
      // Nothing changed since the newest backup there verified: it already holds every byte, and a
      // restic run would only walk 30,000 files to store the same tree (5 to 7 s here). Its
      // repository is still asked whether it holds that snapshot, which checks the passphrase too.
      const digest = await classManifestDigest(this.options.dataDir, paths, JSON.stringify(manifest), signal);
      const unchanged = digest === null ? undefined : this.#catalog.unchangedSince(request.destination, digest);
      if (
        unchanged &&
        (await this.#whilePresent(destination, signal, (runSignal) => repository.hasSnapshot(passphrase, unchanged.id, runSignal)).catch(
          (error: unknown) => {
            if (error instanceof AppError && error.code === 'BACKUP_NO_REPOSITORY') return false;
            throw error;
          },
        ))
      ) {
        this.options.log.info('backup not needed: nothing changed since the last verified one', {
          destination: request.destination,
          id: unchanged.id,
        });
        this.#publish();
        return unchanged;
      }
      // No repository there yet: made on first use. A folder says so without a restic run; a server, by
      // the backup failing with BACKUP_NO_REPOSITORY (one restic run saved on every later backup).
      let created = false;
      if (isFolder(location) && !(await lstat(join(location, 'config')).catch(() => undefined))) {
        await repository.init(passphrase, signal);
        created = true;
      }
      const summary = await run().catch(async (error: unknown) => {
        if (created || !(error instanceof AppError && error.code === 'BACKUP_NO_REPOSITORY')) throw error;
        await repository.init(passphrase, signal);
        created = true;
        return run();
      });
      const record: BackupRecord = {
        id: summary.snapshotId,
        destination: request.destination,
        time: time.toISOString(),
        classes,
        bytes: summary.totalBytes,
        files: summary.totalFiles,
        added: summary.bytesAdded,
        appVersion: this.options.appVersion,
        verified: null,
      };
      await this.#catalog.add(record);
      // Listed at once ("not checked yet" while the verification runs).
      this.#publish();
      this.options.log.info('backup made', {
        destination: request.destination,
        id: record.id,
        classes,
        bytes: summary.totalBytes,
        added: summary.bytesAdded,
      });
      // A new repository, or one this headset has not backed up to before (another stick), gets its verification key.
      if (created || !previous) await this.#ensureDeviceKey(request.destination, repository, passphrase, signal);
      const snapshot = { id: record.id };

      const plan = planAfterBackup(await destination.repositoryBytes(), await this.#catalog.nextRotation(request.destination));
      const verification = await this.#whilePresent(destination, signal, (runSignal) =>
        this.#verify(repository, passphrase, snapshot.id, plan, 'after-backup', request.destination, previous?.time, runSignal),
      );
      await this.#catalog.setVerified(request.destination, snapshot.id, verification);
      record.verified = verification;
      const failure = verificationFailure(verification);
      if (failure) throw failure;
      if (digest !== null) await this.#catalog.setUnchangedSince(request.destination, record.id, digest);

      if (destination.appliesRetention) {
        this.#progress('backing-up', request.destination, 'cleaning-up', 0);
        const removed = await repository.forget(passphrase, this.options.retention ?? DEFAULT_RETENTION, this.options.host(), signal);
        await this.#catalog.remove(request.destination, removed);
        if (removed.length > 0)
          this.options.log.info('old backups removed by retention', { destination: request.destination, removed: removed.length });
      }
      return record;
    });
  }

  /**
   * Verifies a backup (the newest at `kind` when no id is given): the whole repository read back
   * and a sample restore. Without a passphrase, with this headset's verification key.
   */
  async verify(
    request: { destination: BackupDestinationKind; backupId?: string; passphrase?: string },
    how: Verification['how'] = 'asked',
    signal?: AbortSignal,
  ) {
    return this.#exclusive('verify', request.destination, request.passphrase, async (given) => {
      const held = given ? undefined : await this.#keys.hold(request.destination);
      try {
        const passphrase = given ?? held?.passphrase;
        if (!passphrase) throw new AppError('BACKUP_WRONG_PASSPHRASE', 'This headset has no key for that place yet: give the passphrase.');
        const destination = this.#destination(request.destination);
        const repository = new ResticRepository(this.#restic, await this.#locate(destination));
        const known = request.backupId ?? this.#catalog.latest(request.destination)?.id;
        const snapshot = known
          ? await repository.snapshot(passphrase, known, signal)
          : newest((await repository.snapshots(passphrase, signal)).filter((entry) => entry.hostname === this.options.host()));
        if (!snapshot) throw new AppError('BACKUP_NOT_FOUND', 'No backup of this headset at that place.');
        const verification = await this.#verify(repository, passphrase, snapshot.id, { kind: 'all' }, how, request.destination, undefined, signal);
        await this.#catalog.setVerified(request.destination, shortId(snapshot.id), verification);
        this.options.log[verification.result === 'ok' ? 'info' : 'error']('backup verified', {
          destination: request.destination,
          id: snapshot.id,
          result: verification.result,
          damagedFiles: verification.damagedFiles.length,
        });
        return { ...verification, backupId: shortId(snapshot.id) };
      } finally {
        held?.release();
      }
    });
  }

  /** The backups at `kind` from any headset, with whether this one may restore each. */
  async browse(request: { destination: BackupDestinationKind; passphrase: string }, signal?: AbortSignal): Promise<FoundBackup[]> {
    return this.#exclusive('verify', request.destination, request.passphrase, async (held) => {
      const passphrase = given(held);
      const repository = new ResticRepository(this.#restic, await this.#locate(this.#destination(request.destination)));
      const snapshots = await repository.snapshots(passphrase, signal);
      this.#settle();
      return snapshots
        .sort((a, b) => b.time.localeCompare(a.time))
        .map((snapshot) => {
          const manifest = manifestFromTags(snapshot.tags);
          let refused: string | null = null;
          try {
            checkRestorable(manifest, { model: this.options.model });
          } catch (error) {
            refused = error instanceof AppError ? error.code : 'BACKUP_TOOL_FAILED';
          }
          return {
            id: shortId(snapshot.id),
            time: snapshot.time,
            madeBy: snapshot.hostname,
            model: manifest?.model ?? null,
            schema: manifest?.schema ?? null,
            appVersion: manifest?.appVersion ?? null,
            classes: manifest?.classes ?? [],
            refused,
          };
        });
    });
  }

  /**
   * Puts classes back from a backup (the newest this headset may restore when no id is given: this
   * headset's own first, else any headset's of the same model, for a freshly reset one).
   */
  async restore(
    request: { destination: BackupDestinationKind; backupId?: string; classes?: readonly string[]; passphrase: string },
    signal?: AbortSignal,
  ): Promise<{ backupId: string; classes: string[]; files: number; bytes: number }> {
    return this.#exclusive('restore', request.destination, request.passphrase, async (held) => {
      const passphrase = given(held);
      const kind = request.destination;
      this.#progress('restoring', kind, 'preparing', 0);
      const destination = this.#destination(kind);
      const repository = new ResticRepository(this.#restic, await this.#locate(destination));
      const snapshot = request.backupId
        ? await repository.snapshot(passphrase, request.backupId, signal)
        : await this.#newestRestorable(repository, passphrase, signal);
      const manifest = checkRestorable(manifestFromTags(snapshot.tags), { model: this.options.model });
      const classes = selectClasses(request.classes, this.options.classes.classes(), manifest.classes);
      const paths = this.#pathsOf(classes);
      const nodes = (await repository.ls(passphrase, snapshot.id, signal)).filter(
        (node) => node.type === 'file' && paths.some((path) => node.path === `/${path}` || node.path.startsWith(`/${path}/`)),
      );
      const bytesTotal = nodes.reduce((sum, node) => sum + node.size, 0);
      await this.#checkRoom(bytesTotal);
      const staging = join(this.options.workDir, 'staging', `restore-${randomBytes(6).toString('hex')}`);
      await ensureDirectory(staging);
      try {
        const includes = paths.map((path) => `/${path}`);
        await this.#withRestoreProgress(staging, kind, bytesTotal, nodes.length, () =>
          this.#whilePresent(destination, signal, (runSignal) => repository.restore(passphrase, snapshot.id, staging, includes, runSignal)),
        );
        this.#progress('restoring', kind, 'putting-back', 1, {
          bytesDone: bytesTotal,
          bytesTotal,
          filesDone: nodes.length,
          filesTotal: nodes.length,
        });
        await this.#putBack.putBack({ restoredRoot: staging, asideDir: `${staging}.aside`, dataDir: this.options.dataDir, paths });
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
      if (!this.#catalog.find(kind, shortId(snapshot.id))) {
        // Listed from now on (a freshly reset headset learns of the backup it came back from).
        await this.#catalog.add({
          id: shortId(snapshot.id),
          destination: kind,
          time: snapshot.time,
          classes: manifest.classes,
          bytes: bytesTotal,
          files: nodes.length,
          added: 0,
          appVersion: manifest.appVersion,
          verified: null,
        });
      }
      this.options.log.info('classes restored', { destination: kind, id: snapshot.id, classes, files: nodes.length, bytes: bytesTotal });
      // A headset restored from a backup it did not make can verify that place from now on.
      await this.#ensureDeviceKey(kind, repository, passphrase, signal).catch((error: unknown) =>
        this.options.log.warn('could not add the verification key', { destination: kind, code: error instanceof AppError ? error.code : 'unknown' }),
      );
      return { backupId: shortId(snapshot.id), classes, files: nodes.length, bytes: bytesTotal };
    });
  }

  /** The scheduled verification: each present place whose newest backup was last read back longer ago than the period. */
  async verifyDue(signal?: AbortSignal): Promise<void> {
    const now = (this.options.now ?? (() => new Date()))().getTime();
    const period = this.verifyEveryDays * 24 * 3600 * 1000;
    for (const destination of this.options.destinations) {
      const latest = this.#catalog.latest(destination.kind);
      if (!latest || this.#busy) continue;
      const lastFull = latest.verified && (latest.verified.readData === 'all' ? Date.parse(latest.verified.at) : Number.NEGATIVE_INFINITY);
      if (lastFull && now - lastFull < period) continue;
      if ((await destination.locate().catch(() => undefined)) === undefined) continue;
      if (!(await this.#keys.hold(destination.kind).then((held) => (held?.release(), held !== undefined)))) continue;
      await this.verify({ destination: destination.kind, backupId: latest.id }, 'scheduled', signal).catch((error: unknown) =>
        this.options.log.warn('scheduled verification did not run', {
          destination: destination.kind,
          code: error instanceof AppError ? error.code : String(error),
        }),
      );
    }
  }

  // ---- steps ---------------------------------------------------------------------------------

  async #verify(
    repository: ResticRepository,
    passphrase: Passphrase,
    snapshotId: string,
    plan: ReadDataPlan,
    how: Verification['how'],
    kind: BackupDestinationKind,
    changedSince: string | undefined,
    signal?: AbortSignal,
  ): Promise<Verification> {
    return this.#verifier.verify({
      repository,
      passphrase,
      snapshotId,
      plan,
      sourceDir: this.options.dataDir,
      stagingDir: join(this.options.workDir, 'staging'),
      changedSince,
      how,
      signal,
      onPhase: (phase, fraction) => this.#progress(how === 'after-backup' ? 'backing-up' : 'verifying', kind, phase, fraction),
    });
  }

  /** Adds this headset's verification key to the repository unless the one it holds already opens it. */
  async #ensureDeviceKey(kind: BackupDestinationKind, repository: ResticRepository, passphrase: Passphrase, signal?: AbortSignal): Promise<void> {
    const held = await this.#keys.hold(kind);
    if (held) {
      try {
        await repository.exists(held.passphrase, signal);
        return;
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'BACKUP_WRONG_PASSPHRASE')) throw error;
      } finally {
        held.release();
      }
    }
    const fresh = await this.#keys.create(kind);
    try {
      await repository.addKey(passphrase, fresh.passphrase, signal);
    } finally {
      fresh.release();
    }
  }

  async #newestRestorable(repository: ResticRepository, passphrase: Passphrase, signal?: AbortSignal): Promise<ResticSnapshot> {
    const snapshots = (await repository.snapshots(passphrase, signal)).filter((snapshot) => manifestFromTags(snapshot.tags) !== undefined);
    const own = newest(snapshots.filter((snapshot) => snapshot.hostname === this.options.host()));
    const sameModel = newest(snapshots.filter((snapshot) => manifestFromTags(snapshot.tags)?.model === this.options.model));
    const chosen = own ?? sameModel ?? newest(snapshots);
    if (!chosen) throw new AppError('BACKUP_NOT_FOUND', 'No headset backup at that place.');
    return chosen;
  }

  /**
   * Runs `work` with a signal that also fires when the destination goes away (a stick pulled out):
   * restic retries a vanished folder for minutes; the wearer should hear at once.
   */
  async #whilePresent<T>(destination: BackupDestination, signal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const location = await destination.locate();
    let gone = false;
    const poll = setInterval(() => {
      void stillThere(destination, location).then((there) => {
        if (there || gone) return;
        gone = true;
        controller.abort(new AppError('BACKUP_DESTINATION_GONE'));
      });
    }, this.options.presencePollMs ?? 250);
    try {
      return await work(controller.signal);
    } catch (error) {
      // restic may fail first (an I/O error on the vanished folder): ask the destination too.
      checkStillThere(
        destination.kind,
        !gone && !(error instanceof AppError && error.code !== 'BACKUP_WRONG_PASSPHRASE' && !(await stillThere(destination, location))),
      );
      throw error;
    } finally {
      clearInterval(poll);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async #withRestoreProgress(
    staging: string,
    kind: BackupDestinationKind,
    bytesTotal: number,
    filesTotal: number,
    work: () => Promise<void>,
  ): Promise<void> {
    const tick = setInterval(() => {
      void bytesIn(staging).then((bytesDone) =>
        this.#progress('restoring', kind, 'restoring', bytesTotal === 0 ? 1 : Math.min(1, bytesDone / bytesTotal), {
          bytesDone: Math.min(bytesDone, bytesTotal),
          bytesTotal,
          filesDone: 0,
          filesTotal,
        }),
      );
    }, 250);
    try {
      this.#progress('restoring', kind, 'restoring', 0, { bytesDone: 0, bytesTotal, filesDone: 0, filesTotal });
      await work();
    } finally {
      clearInterval(tick);
    }
  }

  async #checkRoom(bytes: number): Promise<void> {
    const info = await statfs(this.options.dataDir);
    const free = info.bavail * info.bsize;
    // The restored copy sits beside the live one until the swap: the whole of it must fit.
    checkRestoreRoom(bytes, free);
  }

  async #locate(destination: BackupDestination): Promise<string> {
    return requirePresent(destination.kind, await destination.locate());
  }

  #destination(kind: BackupDestinationKind): BackupDestination {
    const destination = this.options.destinations.find((entry) => entry.kind === kind);
    return requirePresent(kind, destination);
  }

  #pathsOf(classes: readonly string[]): string[] {
    const all = this.options.classes.classes();
    return [...new Set(classes.flatMap((id) => all.find((entry) => entry.id === id)?.paths ?? []))].map((path) => path.replace(/^\/+|\/+$/g, ''));
  }

  async #existingPaths(classes: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const path of this.#pathsOf(classes)) if (await lstat(join(this.options.dataDir, path)).catch(() => undefined)) out.push(path);
    return out;
  }

  async #exclusive<T>(
    operation: 'backup' | 'verify' | 'restore',
    kind: BackupDestinationKind,
    passphraseText: string | undefined,
    work: (passphrase: Passphrase | undefined) => Promise<T>,
  ): Promise<T> {
    assertIdle(this.#busy);
    this.#busy = true;
    const held = passphraseText === undefined ? undefined : Passphrase.hold(passphraseText, this.options.secrets);
    try {
      const result = await work(held?.passphrase);
      this.#last = { operation, destination: kind, at: new Date().toISOString(), error: null };
      return result;
    } catch (error) {
      this.#last = { operation, destination: kind, at: new Date().toISOString(), error: error instanceof AppError ? error.code : 'INTERNAL' };
      this.options.log.warn(`${operation} failed`, {
        destination: kind,
        code: this.#last.error,
        details: error instanceof AppError ? error.details : String(error),
      });
      throw error;
    } finally {
      held?.release();
      this.#busy = false;
      this.#activity = { state: 'idle' };
      this.#publish();
    }
  }

  #settle(): void {
    this.#activity = { state: 'idle' };
  }

  #progress(
    state: 'backing-up' | 'verifying' | 'restoring',
    destination: BackupDestinationKind,
    phase: Extract<BackupActivity, { state: 'backing-up' }>['phase'],
    fraction: number,
    counts?: { bytesDone: number; bytesTotal: number; filesDone: number; filesTotal: number },
  ): void {
    const previous = this.#activity.state === 'idle' ? undefined : this.#activity;
    this.#activity = {
      state,
      destination,
      phase,
      fraction: Math.max(0, Math.min(1, fraction)),
      bytesDone: counts?.bytesDone ?? previous?.bytesDone ?? 0,
      bytesTotal: counts?.bytesTotal ?? previous?.bytesTotal ?? 0,
      filesDone: counts?.filesDone ?? previous?.filesDone ?? 0,
      filesTotal: counts?.filesTotal ?? previous?.filesTotal ?? 0,
    };
    this.#publish();
  }

  #publish(): BackupOverview {
    const value: BackupOverview = {
      destinations: this.options.destinations.map((destination) => ({
        kind: destination.kind,
        present: this.#present.get(destination.kind) ?? false,
        appliesRetention: destination.appliesRetention,
      })),
      classes: this.options.classes
        .classes()
        .map((entry) => ({ id: entry.id, title: entry.title ?? entry.id, backedUpByDefault: entry.backedUpByDefault })),
      backups: this.#catalog.list(),
      activity: this.#activity,
      last: this.#last,
      verifyEveryDays: this.verifyEveryDays,
    };
    this.overview.set(value);
    return value;
  }
}

/**
 * Whether a destination still answers the same repository. A folder repository must still hold its
 * `config`: restic recreates missing folders on a write (mkdir -p), so a pulled stick's folder can
 * come back empty, and restic would then fill the mount point's folder on the headset instead.
 */
async function stillThere(destination: BackupDestination, location: string | undefined): Promise<boolean> {
  const now = await destination.locate().catch(() => undefined);
  if (now === undefined || now !== location) return false;
  if (!isFolder(now)) return true;
  return (await lstat(join(now, 'config')).catch(() => undefined)) !== undefined;
}

/** A folder repository (not a `rest:` or other backend URL). */
function isFolder(location: string): boolean {
  return !/^[a-z0-9]+:/i.test(location) || location.startsWith('/');
}

/** restic's short snapshot id (8 hex digits): what the API and the catalog name a backup by. */
function shortId(id: string): string {
  return id.slice(0, 8);
}

function given(passphrase: Passphrase | undefined): Passphrase {
  if (!passphrase) throw new AppError('BACKUP_WRONG_PASSPHRASE');
  return passphrase;
}

function newest(snapshots: readonly ResticSnapshot[]): ResticSnapshot | undefined {
  return [...snapshots].sort((a, b) => b.time.localeCompare(a.time))[0];
}

async function bytesIn(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true }).catch(() => [])) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) total += await bytesIn(child);
    else if (entry.isFile()) total += (await lstat(child).catch(() => undefined))?.size ?? 0;
  }
  return total;
}
