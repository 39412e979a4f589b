import type { BootSlot } from '../boot/bootSelection.js';

/** A full system the update repository's verified metadata lists, as recovery sees it. */
export interface AvailableSystem {
  version: string;
  /** Bytes to download. */
  bytes: number;
}

/**
 * The update capability's installer and verifier, as recovery uses them: one install path, the
 * version floor (the newest version either slot records) kept, that version itself allowed.
 */
export interface SystemInstallPort {
  /** The slot a recovery install writes: not the one the recovery system fell back to. */
  targetSlot(): BootSlot;
  /** The newest full system at or above the floor (TUF-verified); undefined when there is none. */
  newestFullSystem(): Promise<AvailableSystem | undefined>;
  /** Downloads it (resumable, checked against the signed hash); resolves with the bundle's path. */
  download(system: AvailableSystem, signal: AbortSignal, onProgress: (bytes: number, total: number) => void): Promise<string>;
  /** Verifies the bundle's signature and manifest, writes the slot, reads it back, makes it the next boot's trial. */
  install(bundle: string, onProgress: (bytes: number, total: number) => void): Promise<{ version: string; slot: BootSlot }>;
  /**
   * Copies a bundle from removable media beside the downloads, so what is verified is what is
   * written (a stick pulled or changed halfway cannot split them) and the committed system keeps
   * its own copy, never the stick's file.
   */
  stage(file: string): Promise<string>;
  /** Drops a staged bundle the install refused. */
  discard(bundle: string): Promise<void>;
}

/** The USB stick as recovery reads it: where it is mounted, and the bundles (*.hcb) at its top level. */
export interface BundleStick {
  /** Undefined: no stick plugged in. Otherwise each bundle's name and full path. */
  bundles(): Promise<Array<{ name: string; path: string }> | undefined>;
}

/** What recovery writes to the log (the `recovery` subsystem). */
export interface RecoveryLog {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
