import { open as openFile } from 'node:fs/promises';
import { ftruncateAsync } from './descriptorCalls.js';

/**
 * A writer killed in the middle of a write (SIGKILL stops a write between two pages) leaves the
 * start of a line at the end of the active file; appending after it would fuse it with our first
 * line. That line was never confirmed written: cut it off (through `fd`, open for appending),
 * keeping whole lines only. Returns the file's size after.
 */
export async function cutTornTail(path: string, fd: number, size: number): Promise<number> {
  if (size === 0) return size;
  const reader = await openFile(path, 'r');
  try {
    const step = 64 * 1024;
    let end = size;
    let keep = 0;
    while (end > 0) {
      const start = Math.max(0, end - step);
      const chunk = Buffer.alloc(end - start);
      const { bytesRead } = await reader.read(chunk, 0, chunk.length, start);
      const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline >= 0) {
        keep = start + newline + 1;
        break;
      }
      end = start;
    }
    if (keep === size) return size;
    await ftruncateAsync(fd, keep);
    return keep;
  } finally {
    await reader.close();
  }
}
