/**
 * What the backup capability needs from the device and from the capabilities before it.
 */

/** One user-data class as backup sees it (from the data-class registry). */
export interface BackupClass {
  id: string;
  /** Plain words for the wearer (the registry's title). */
  title?: string;
  /** Files and folders of the class, relative to the data partition. */
  paths: readonly string[];
  backedUpByDefault: boolean;
}

/** The data-class registry, read-only. */
export interface BackupClassSource {
  classes(): readonly BackupClass[];
}

export const DESTINATION_KINDS = ['usb', 'local', 'cloud'] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

/**
 * A place backups go: answers its restic repository (a folder or a `rest:` URL), or undefined while
 * it is not there (no stick, no cloud configured).
 */
export interface BackupDestination {
  kind: DestinationKind;
  locate(): Promise<string | undefined>;
  /**
   * Whether this headset applies retention there. Not on an append-only server: it refuses deletes
   * (rclone serve restic --append-only answers 403), and its own retention is the server's job.
   */
  appliesRetention: boolean;
  /** Bytes the repository takes, where that can be read cheaply (a local folder); undefined otherwise. */
  repositoryBytes(): Promise<number | undefined>;
}

/** Where the cloud repository is: a `rest:` URL given by the operator now, by the fleet server later. */
export interface CloudBackupEndpoint {
  repositoryUrl(): Promise<string | undefined>;
}
