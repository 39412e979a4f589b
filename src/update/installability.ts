import { AppError } from '../api/errors.js';
import type { BundleManifest } from './manifest.js';
import { compareVersions, satisfiesRange } from './version.js';

/** What the device is, as far as deciding whether a bundle may be installed on it. */
export interface DeviceFacts {
  model: string;
  installedVersion: string;
  /** Bytes available per slot partition an image may target (e.g. { rootfs: 64 MiB }). */
  partitions: Readonly<Record<string, number>>;
  /** Versions of the other components, for the manifest's `requires`. */
  components?: Readonly<Record<string, string>>;
}

/**
 * Refuses a verified bundle that must not be installed here, before anything is written:
 * another model, not newer than what runs (rollback attack), below its version floor, an image
 * for a partition this device lacks or larger than it.
 */
export function checkInstallable(
  manifest: BundleManifest,
  device: DeviceFacts,
  /** `allowReinstall`: recovery's repair, the installed version itself allowed, anything older still refused. */
  options: { allowDowngrade?: boolean; allowReinstall?: boolean } = {},
): void {
  if (manifest.compatible !== device.model) {
    throw new AppError('UPDATE_INCOMPATIBLE', `The bundle is for ${manifest.compatible}; this headset is ${device.model}.`, {
      compatible: manifest.compatible,
      model: device.model,
    });
  }
  const lowest = options.allowReinstall ? 0 : 1;
  if (!options.allowDowngrade && compareVersions(manifest.version, device.installedVersion) < lowest) {
    throw new AppError('UPDATE_NOT_NEWER', `The bundle's version ${manifest.version} is not newer than the installed ${device.installedVersion}.`, {
      version: manifest.version,
      installed: device.installedVersion,
    });
  }
  if (manifest.minVersion && compareVersions(device.installedVersion, manifest.minVersion) < 0) {
    throw new AppError(
      'UPDATE_BELOW_MIN_VERSION',
      `The bundle installs over ${manifest.minVersion} or later; this headset runs ${device.installedVersion}.`,
      { minVersion: manifest.minVersion, installed: device.installedVersion },
    );
  }
  for (const requirement of manifest.requires) {
    const present = device.components?.[requirement.name];
    if (!present || !satisfiesRange(present, requirement.range)) {
      throw new AppError(
        'UPDATE_REQUIREMENT_UNMET',
        `The bundle needs ${requirement.name} ${requirement.range}; this headset has ${present ?? 'none'}.`,
        { requirement, present: present ?? null },
      );
    }
  }
  for (const image of manifest.images) {
    const room = device.partitions[image.slot];
    if (room === undefined)
      throw new AppError('UPDATE_INCOMPATIBLE', `The bundle writes a "${image.slot}" partition this headset does not have.`, {
        partition: image.slot,
      });
    if (image.uncompressed.length > room) {
      throw new AppError(
        'UPDATE_TOO_LARGE',
        `Image "${image.name}" needs ${image.uncompressed.length} bytes; the slot's ${image.slot} partition holds ${room}.`,
        { image: image.name, needed: image.uncompressed.length, room },
      );
    }
  }
}

/** After writing and syncing a slot, its bytes read back must be the signed image. */
export function checkSlotReadback(image: string, expected: { length: number; sha256: string }, actual: { length: number; sha256: string }): void {
  if (actual.length !== expected.length || actual.sha256 !== expected.sha256) {
    throw new AppError('SLOT_VERIFY_FAILED', `Image "${image}" did not read back from the slot as written.`, { image, expected, actual });
  }
}

/** Before a download: room for what is still to come, plus a margin so the disk never fills up. */
export function checkFreeSpace(neededBytes: number, availableBytes: number, marginBytes = 64 * 1024 * 1024): void {
  if (availableBytes < neededBytes + marginBytes) {
    throw new AppError(
      'UPDATE_NO_SPACE',
      `The update needs ${neededBytes} bytes of free space (and a ${marginBytes}-byte margin); ${availableBytes} are free.`,
      { neededBytes, availableBytes, marginBytes },
    );
  }
}

/**
 * Before an install touches anything: room on the boot partition for what the install writes there
 * (the boot images of the target slot, which replace its old ones, and the boot environment's
 * rewrite). The boot partition is small and shared by both slots: a full one would fail the switch.
 */
export function checkBootSpace(neededBytes: number, availableBytes: number): void {
  if (availableBytes < neededBytes) {
    throw new AppError('UPDATE_NO_BOOT_SPACE', `The install writes ${neededBytes} bytes to the boot partition; ${availableBytes} are free there.`, {
      neededBytes,
      availableBytes,
    });
  }
}

/** A service that holds the inactive slot (or that the bundle touches) would not stop: the slot is not written. */
export function serviceStopFailed(unit: string, reason: string): AppError {
  return new AppError('UPDATE_SERVICE_STOP_FAILED', `The service ${unit} would not stop, so the slot was not written: ${reason}`, { unit });
}
