import { join } from 'node:path';
import type { BackupOverview, StateSource } from '../../../src/api/contract.js';
import type { backupCalls, backupEvents } from '../../../src/api/contract/backup.js';
import type { SecretRegistrar } from '../../../src/secrets/SecretRegistry.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { ExportMedium } from '../logging/ExportMedium.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { LocalFolderDestination, RestServerDestination, UsbStickDestination } from './BackupDestinations.js';
import { BackupService } from './BackupService.js';
import { CloudEndpointFile } from './CloudEndpointFile.js';
import type { BackupClassSource, CloudBackupEndpoint } from './ports.js';

export interface BackupNeeds {
  /** The data partition; class paths are relative to it. */
  dataDir: string;
  /** The second local place (the registry's "backups kept on the headset" folder). */
  localDir: string;
  /** The backup's own files: catalog, verification keys, restic's cache, restore staging (on the data partition). */
  workDir: string;
  usbStick: ExportMedium;
  /** Where the cloud repository is; by default the URL in `workDir/cloud.json`. */
  cloud?: CloudBackupEndpoint;
  classes: BackupClassSource;
  model: string;
  appVersion: string;
  host: () => string;
  secrets: SecretRegistrar;
  log: SubsystemLogger;
  /** How often destinations are looked at (a stick plugged in or out). */
  presenceEveryMs?: number;
  /** How often the verification schedule is looked at. */
  scheduleEveryMs?: number;
}

/** The path of the cloud endpoint file under a backup work folder. */
export const cloudEndpointFile = (workDir: string) => join(workDir, 'cloud.json');

/**
 * The backup capability: backup.status/run/verify/browse/restore and backup.changed, over restic.
 * Backups and restores are not tied to the calling connection: a page reload does not cut them.
 */
export function backupCapability(needs: BackupNeeds): Capability<{ backups: StateSource<BackupOverview> }> {
  const service = new BackupService({
    dataDir: needs.dataDir,
    workDir: needs.workDir,
    destinations: [
      new UsbStickDestination(needs.usbStick),
      new LocalFolderDestination(needs.localDir),
      new RestServerDestination(needs.cloud ?? new CloudEndpointFile(cloudEndpointFile(needs.workDir))),
    ],
    classes: needs.classes,
    model: needs.model,
    appVersion: needs.appVersion,
    host: needs.host,
    secrets: needs.secrets,
    log: needs.log,
  });
  const handlers: HandlersOf<typeof backupCalls> = {
    'backup.status': () => service.current(),
    'backup.run': (input) => service.backUp(input),
    'backup.verify': (input, context) => service.verify(input, 'asked', context.signal),
    'backup.browse': (input, context) => service.browse(input, context.signal),
    'backup.restore': (input) => service.restore(input),
  };
  const events: EventsOf<typeof backupEvents> = { 'backup.changed': service.overview };
  const timers: NodeJS.Timeout[] = [];
  return {
    provides: { backups: service.overview },
    handlers,
    events,
    start: async () => {
      await service.start();
      timers.push(setInterval(() => void service.refreshPresence(), needs.presenceEveryMs ?? 2000));
      timers.push(
        setInterval(
          () => void service.verifyDue().catch((error: unknown) => needs.log.warn('scheduled verification failed', { error: String(error) })),
          needs.scheduleEveryMs ?? 3600_000,
        ),
      );
      for (const timer of timers) timer.unref();
    },
    stop: async () => {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
  };
}
