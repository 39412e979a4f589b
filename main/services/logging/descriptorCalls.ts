import { closeSync } from 'node:fs';
import * as fs from 'node:fs';
import { promisify } from 'node:util';

// Plain descriptors, not FileHandles: the crash flush writes with the same descriptor synchronously.

export const writeAsync = (fd: number, buffer: Buffer, offset: number, length: number) =>
  new Promise<{ bytesWritten: number }>((resolve, reject) =>
    fs.write(fd, buffer, offset, length, null, (error, bytesWritten) => (error ? reject(error) : resolve({ bytesWritten }))),
  );
export const openAsync = promisify(fs.open);
export const fstatAsync = promisify(fs.fstat);
export const closeAsync = promisify(fs.close);
export const fdatasyncAsync = promisify(fs.fdatasync);
export const ftruncateAsync = promisify(fs.ftruncate);

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already gone.
  }
}
