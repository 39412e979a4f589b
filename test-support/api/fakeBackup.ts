import type { BackupOverview, BackupRecord, CallHandlers } from '../../src/api/contract.js';
import { AppError } from '../../src/api/errors.js';
import { StateChannel } from '../../src/api/stateChannel.js';
import { BACKUP_SCHEMA_VERSION } from '../../src/backup/backupManifest.js';
import { assertIdle, requirePresent } from '../../src/backup/backupGuards.js';
import { checkNewPassphrase, selectClasses } from '../../src/backup/backupSelection.js';

export interface FakeBackupOptions {
  /** Whether the USB stick is plugged in (default true); the cloud is never configured. */
  stick?: boolean;
  /** Backups already made. */
  backups?: BackupRecord[];
}

const CLASSES = [
  { id: 'profile', title: 'Profile and preferences', backedUpByDefault: true },
  { id: 'privacy', title: 'Privacy choices', backedUpByDefault: true },
  { id: 'networks', title: 'Saved networks', backedUpByDefault: true },
  { id: 'apps', title: 'App data', backedUpByDefault: true },
  { id: 'logs', title: 'Logs and crash records', backedUpByDefault: false },
];

/**
 * Backup on the fake headset: the real selection and passphrase rules (src/backup/), a repository
 * per place that remembers the passphrase it was made with, and progress pushed as on the device.
 */
export function createFakeBackup(options: FakeBackupOptions = {}) {
  const present = { usb: options.stick ?? true, local: true, cloud: false };
  const repositories = new Map<string, string>();
  let backups = [...(options.backups ?? [])];
  let busy = false;
  let count = 0;
  const overview = (activity: BackupOverview['activity'] = { state: 'idle' }, last: BackupOverview['last'] = null): BackupOverview => ({
    destinations: (['usb', 'local', 'cloud'] as const).map((kind) => ({ kind, present: present[kind], appliesRetention: kind !== 'cloud' })),
    classes: CLASSES,
    backups: [...backups].sort((a, b) => b.time.localeCompare(a.time)),
    activity,
    last,
    verifyEveryDays: 7,
  });
  const channel = new StateChannel<BackupOverview>(overview());
  const open = (destination: 'usb' | 'local' | 'cloud', passphrase: string, create: boolean) => {
    requirePresent(destination, present[destination] ? destination : undefined);
    const made = repositories.get(destination);
    if (made === undefined) {
      if (!create) throw new AppError('BACKUP_NO_REPOSITORY');
      repositories.set(destination, passphrase);
    } else if (made !== passphrase) throw new AppError('BACKUP_WRONG_PASSPHRASE');
  };
  const exclusive = async <T>(
    operation: 'backup' | 'verify' | 'restore',
    destination: 'usb' | 'local' | 'cloud',
    work: () => Promise<T>,
  ): Promise<T> => {
    assertIdle(busy);
    busy = true;
    try {
      const result = await work();
      channel.set(overview({ state: 'idle' }, { operation, destination, at: new Date().toISOString(), error: null }));
      return result;
    } catch (error) {
      channel.set(
        overview(
          { state: 'idle' },
          { operation, destination, at: new Date().toISOString(), error: error instanceof AppError ? error.code : 'INTERNAL' },
        ),
      );
      throw error;
    } finally {
      busy = false;
    }
  };
  const progress = (state: 'backing-up' | 'restoring', destination: 'usb' | 'local' | 'cloud', fraction: number) =>
    channel.set(
      overview({
        state,
        destination,
        phase: state === 'backing-up' ? 'copying' : 'restoring',
        fraction,
        bytesDone: fraction * 1e6,
        bytesTotal: 1e6,
        filesDone: Math.round(fraction * 40),
        filesTotal: 40,
      }),
    );

  const handlers: Pick<CallHandlers, 'backup.status' | 'backup.run' | 'backup.verify' | 'backup.browse' | 'backup.restore'> = {
    'backup.status': () => channel.current()!,
    'backup.run': ({ destination, classes, passphrase }) =>
      exclusive('backup', destination, async () => {
        checkNewPassphrase(passphrase);
        const chosen = selectClasses(classes, CLASSES);
        open(destination, passphrase, true);
        for (const fraction of [0, 0.5, 1]) progress('backing-up', destination, fraction);
        const at = new Date().toISOString();
        const record: BackupRecord = {
          id: (++count).toString(16).padStart(8, '0') + 'a'.repeat(56),
          destination,
          time: at,
          classes: chosen,
          bytes: 1_000_000,
          files: 40,
          added: 1_000_000,
          appVersion: '1.0.0',
          verified: { at, result: 'ok', how: 'after-backup', readData: 'all', sampleFiles: 12, damagedFiles: [] },
        };
        backups.push(record);
        return record;
      }),
    'backup.verify': ({ destination, backupId, passphrase }) =>
      exclusive('verify', destination, async () => {
        if (passphrase !== undefined) open(destination, passphrase, false);
        const record = backups.find((b) => b.destination === destination && (!backupId || b.id.startsWith(backupId)));
        if (!record) throw new AppError('BACKUP_NOT_FOUND');
        const verified = {
          at: new Date().toISOString(),
          result: 'ok' as const,
          how: 'asked' as const,
          readData: 'all' as const,
          sampleFiles: 12,
          damagedFiles: [],
        };
        backups = backups.map((b) => (b === record ? { ...b, verified } : b));
        return { ...verified, backupId: record.id };
      }),
    'backup.browse': ({ destination, passphrase }) =>
      exclusive('verify', destination, async () => {
        open(destination, passphrase, false);
        return backups
          .filter((b) => b.destination === destination)
          .map((b) => ({
            id: b.id,
            time: b.time,
            madeBy: 'fake-device',
            model: 'HX-1',
            schema: BACKUP_SCHEMA_VERSION,
            appVersion: b.appVersion,
            classes: b.classes,
            refused: null,
          }));
      }),
    'backup.restore': ({ destination, backupId, classes, passphrase }) =>
      exclusive('restore', destination, async () => {
        open(destination, passphrase, false);
        const record = [...backups].reverse().find((b) => b.destination === destination && (!backupId || b.id.startsWith(backupId)));
        if (!record) throw new AppError('BACKUP_NOT_FOUND');
        const chosen = selectClasses(classes, CLASSES, record.classes);
        for (const fraction of [0, 0.5, 1]) progress('restoring', destination, fraction);
        return { backupId: record.id, classes: chosen, files: 40, bytes: 1_000_000 };
      }),
  };
  return {
    channel,
    handlers,
    /** Plugs the stick in or pulls it out. */
    setStick(plugged: boolean) {
      present.usb = plugged;
      channel.set(overview(channel.current()!.activity, channel.current()!.last));
    },
  };
}
