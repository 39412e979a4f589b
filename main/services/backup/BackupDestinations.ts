import { readdir, lstat, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportMedium } from '../logging/ExportMedium.js';
import { ensureDirectory } from '../storage/atomicFile.js';
import type { BackupDestination, CloudBackupEndpoint } from './ports.js';

/** The repository's folder on a stick or disk: one per medium, shared by every headset that uses it (one restic host each). */
export const REPOSITORY_FOLDER = 'headset-backup';

/** The wearer's USB stick (the same medium log exports go to): present while it is plugged in. */
export class UsbStickDestination implements BackupDestination {
  readonly kind = 'usb';
  readonly appliesRetention = true;
  constructor(private readonly medium: ExportMedium) {}

  async locate(): Promise<string | undefined> {
    const dir = await this.medium.locate();
    return dir === undefined ? undefined : join(dir, REPOSITORY_FOLDER);
  }

  async repositoryBytes(): Promise<number | undefined> {
    const location = await this.locate();
    return location === undefined ? undefined : bytesUnder(location);
  }
}

/** A second place on the headset or a disk beside it (a folder always there). */
export class LocalFolderDestination implements BackupDestination {
  readonly kind = 'local';
  readonly appliesRetention = true;
  constructor(private readonly dir: string) {}

  async locate(): Promise<string | undefined> {
    await ensureDirectory(this.dir);
    return join(this.dir, REPOSITORY_FOLDER);
  }

  async repositoryBytes(): Promise<number | undefined> {
    return bytesUnder(join(this.dir, REPOSITORY_FOLDER));
  }
}

/**
 * The cloud: a restic REST server (rclone serve restic --append-only now; the fleet server later,
 * through the same CloudBackupEndpoint seam). Append-only: this headset never deletes there.
 */
export class RestServerDestination implements BackupDestination {
  readonly kind = 'cloud';
  readonly appliesRetention = false;
  constructor(private readonly endpoint: CloudBackupEndpoint) {}

  locate(): Promise<string | undefined> {
    return this.endpoint.repositoryUrl();
  }

  async repositoryBytes(): Promise<number | undefined> {
    return undefined;
  }
}

/** A fixed URL from headsetd's options (`--backup-url rest:http://host:port/name`), or none. */
export class ConfiguredCloudEndpoint implements CloudBackupEndpoint {
  constructor(private readonly url: string | undefined) {}
  async repositoryUrl(): Promise<string | undefined> {
    return this.url;
  }
}

async function bytesUnder(path: string): Promise<number> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of await readdir(path).catch(() => [] as string[])) total += await bytesUnder(join(path, name));
  return total;
}

/** Whether `path` exists now (a stick's repository vanishes when the stick is pulled). */
export async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}
