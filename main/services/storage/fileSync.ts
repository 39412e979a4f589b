import { open, type FileHandle } from 'node:fs/promises';

/**
 * The one place the update path makes writes durable: fsync of a file's data, fsync of a folder
 * (its entries: creations, renames, removals). What is not covered by a completed call may be lost
 * by a power cut, which the simulated device's page cache (device/SimulatedPageCache.ts) acts out.
 */
export interface FileSync {
  /**
   * fsync(2) of an open file, or fdatasync(2) with `dataOnly` (its bytes and size, not its times);
   * `path` names it, for a simulation that tracks files by name.
   */
  syncFile(handle: FileHandle, path: string, options?: { dataOnly?: boolean }): Promise<void>;
  /** fsync(2) of a folder, making its entries durable. */
  syncDirectory(dir: string): Promise<void>;
}

/** The operating system's fsync. */
export const systemFileSync: FileSync = {
  syncFile: (handle, _path, options) => (options?.dataOnly ? handle.datasync() : handle.sync()),
  async syncDirectory(dir) {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

let current: FileSync = systemFileSync;

/**
 * The FileSync in force. Process-wide on purpose, like the kernel's page cache it stands for: every
 * writer of durable state (atomicFile, the slot writer) goes through it, so a simulated cut sees
 * them all without each class taking a port it would pass on unchanged.
 */
export function fileSync(): FileSync {
  return current;
}

/** Puts `sync` in force (a simulated page cache); returns what undoes it. */
export function useFileSync(sync: FileSync): () => void {
  const previous = current;
  current = sync;
  return () => {
    if (current === sync) current = previous;
  };
}
