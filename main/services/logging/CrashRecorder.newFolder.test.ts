import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CrashRecorder } from './CrashRecorder.js';

// The syscalls are the edge of the machine: watched, not replaced (every call reaches the real fs).
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return { ...actual, openSync: vi.fn(actual.openSync), fsyncSync: vi.fn(actual.fsyncSync) };
});

const root = fs.mkdtempSync(join(tmpdir(), 'crash-folders-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('CrashRecorder in a folder that does not exist yet', () => {
  it('fsyncs the parent of every folder it creates before the first record counts as written', async () => {
    const dir = join(root, 'var', 'log', 'crashes');
    let second = 0;
    const crashes = new CrashRecorder(
      dir,
      { version: '1.4.0', commit: 'c0ffee', bootId: () => 'boot-1', recentLines: () => [], lastHealth: () => undefined },
      { now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, second++)) },
    );
    const openSync = vi.mocked(fs.openSync);
    const fsyncSync = vi.mocked(fs.fsyncSync);
    openSync.mockClear();
    fsyncSync.mockClear();
    const id = crashes.recordSync({ process: 'headsetd', error: { name: 'Error', message: 'boom' } });
    expect(id).not.toBeNull();
    // Which folders were opened and then fsynced (by descriptor).
    const synced = new Set(fsyncSync.mock.calls.map(([fd]) => fd));
    const foldersSynced = openSync.mock.calls.flatMap(([path], i) => (synced.has(openSync.mock.results[i]!.value as number) ? [String(path)] : []));
    for (const parent of [root, join(root, 'var'), join(root, 'var', 'log')]) expect(foldersSynced).toContain(parent);
    expect(foldersSynced).toContain(dir);
    expect((await crashes.read(id!)).error.message).toBe('boom');

    // The folder exists now: the next record syncs only its own folder.
    openSync.mockClear();
    fsyncSync.mockClear();
    expect(crashes.recordSync({ process: 'headsetd', error: { name: 'Error', message: 'again' } })).not.toBeNull();
    const openedFolders = openSync.mock.calls.map(([path]) => String(path)).filter((path) => !path.endsWith('.tmp'));
    expect(openedFolders).not.toContain(join(root, 'var'));
    expect((await crashes.list()).map((crash) => crash.error)).toEqual(['Error: again', 'Error: boom']);
  });
});
