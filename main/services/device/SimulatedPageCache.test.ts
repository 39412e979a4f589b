import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsyncDirectory, writeFileAtomic } from '../storage/atomicFile.js';
import { useFileSync } from '../storage/fileSync.js';
import { PAGE_SIZE, SimulatedPageCache } from './SimulatedPageCache.js';

let root: string;
let restore: () => void = () => undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'page-cache-'));
});
afterEach(() => {
  restore();
  rmSync(root, { recursive: true, force: true });
});

async function attach(options: Parameters<typeof SimulatedPageCache.attach>[1] = {}) {
  const cache = await SimulatedPageCache.attach(root, options);
  restore = useFileSync(cache);
  return cache;
}

/** Writes `bytes` at `at` in place, optionally fsyncing through the FileSync in force. */
async function writeAt(path: string, bytes: Buffer, at: number, sync: boolean) {
  const handle = await open(path, 'r+');
  try {
    await handle.write(bytes, 0, bytes.length, at);
    if (sync) await (await import('../storage/fileSync.js')).fileSync().syncFile(handle, path);
  } finally {
    await handle.close();
  }
}

describe('simulated page cache', () => {
  it('a cut reverts every page written since the last fsync, and keeps what was synced', async () => {
    const slot = join(root, 'slot.img');
    writeFileSync(slot, Buffer.alloc(4 * PAGE_SIZE, 1));
    const cache = await attach();
    await writeAt(slot, Buffer.alloc(PAGE_SIZE, 2), 0, true); // synced
    await writeAt(slot, Buffer.alloc(10, 3), 2 * PAGE_SIZE + 5, false); // not synced
    const report = await cache.cut('revert');
    const after = readFileSync(slot);
    expect(after.subarray(0, PAGE_SIZE).every((b) => b === 2)).toBe(true);
    expect(after.subarray(PAGE_SIZE).every((b) => b === 1)).toBe(true);
    expect(report.filesChanged).toEqual(['slot.img']);
  });

  it('garbage: unsynced pages hold neither the old nor the new bytes; synced and untouched pages are intact', async () => {
    const slot = join(root, 'slot.img');
    writeFileSync(slot, Buffer.alloc(4 * PAGE_SIZE, 1));
    const cache = await attach({ seed: 7 });
    await writeAt(slot, Buffer.alloc(PAGE_SIZE, 3), PAGE_SIZE, false);
    await cache.cut('garbage');
    const after = readFileSync(slot);
    const page = after.subarray(PAGE_SIZE, 2 * PAGE_SIZE);
    expect(page.equals(Buffer.alloc(PAGE_SIZE, 3)) || page.equals(Buffer.alloc(PAGE_SIZE, 1))).toBe(false);
    expect(after.subarray(0, PAGE_SIZE).every((b) => b === 1) && after.subarray(2 * PAGE_SIZE).every((b) => b === 1)).toBe(true);
  });

  it('a page synced half full and then appended to keeps its synced bytes, whatever the loss', async () => {
    const log = join(root, 'download.part');
    writeFileSync(log, '');
    for (const loss of ['revert', 'garbage', 'mixed'] as const) {
      writeFileSync(log, Buffer.alloc(100, 7));
      const cache = await attach({ seed: 3 });
      await writeAt(log, Buffer.alloc(1000, 8), 100, true); // synced: 1,100 bytes
      await writeAt(log, Buffer.alloc(5000, 9), 1100, false); // appended, not synced
      await cache.cut(loss);
      restore();
      const after = readFileSync(log);
      expect(after.subarray(0, 100).every((b) => b === 7) && after.subarray(100, 1100).every((b) => b === 8), loss).toBe(true);
    }
  });

  it('a rename not followed by an fsync of its folder is lost; the atomic write survives once its folder is synced', async () => {
    writeFileSync(join(root, 'state.json'), '{"v":1}');
    const cache = await attach({
      beforeSync: (kind) => {
        if (kind === 'directory') throw new Error('cut');
      },
    });
    await expect(writeFileAtomic(join(root, 'state.json'), '{"v":2}')).rejects.toThrow('cut');
    expect(readFileSync(join(root, 'state.json'), 'utf8')).toBe('{"v":2}'); // before the cut, the page cache answers
    const report = await cache.cut('revert');
    expect(readFileSync(join(root, 'state.json'), 'utf8')).toBe('{"v":1}');
    expect(readdirSync(root)).toEqual(['state.json']); // the temporary file went with the cut
    expect(report.filesChanged).toEqual(['state.json']); // the name leads back to the old file

    const again = await attach();
    await writeFileAtomic(join(root, 'state.json'), '{"v":3}');
    await again.cut('garbage');
    expect(readFileSync(join(root, 'state.json'), 'utf8')).toBe('{"v":3}');
  });

  it('mixed: a rename may reach the medium before the data it names, which is why the data is synced first', async () => {
    // A writer that forgets the file's fsync: renamed in, folder synced, data never synced.
    writeFileSync(join(root, 'state.json'), '{"v":1}');
    let lostData = 0;
    for (let seed = 1; seed <= 20; seed++) {
      writeFileSync(join(root, 'state.json'), '{"v":1}');
      const cache = await attach({ seed });
      writeFileSync(join(root, 'tmp'), '{"v":2}');
      (await import('node:fs')).renameSync(join(root, 'tmp'), join(root, 'state.json'));
      await fsyncDirectory(root);
      await cache.cut('mixed');
      restore();
      if (readFileSync(join(root, 'state.json'), 'utf8') !== '{"v":2}') lostData++;
      expect(existsSync(join(root, 'tmp'))).toBe(false);
    }
    expect(lostData).toBeGreaterThan(0);
  });
});
