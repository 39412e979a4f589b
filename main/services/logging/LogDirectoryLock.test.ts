import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimStream, currentProcess, isAlive, liveOwners, LOCK_NAME, releaseStream, withDirectoryLock } from './LogDirectoryLock.js';

const root = mkdtempSync(join(tmpdir(), 'log-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const folder = () => mkdtempSync(join(root, `${folders++}-`));

/** The pid of a process that ran and is gone. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the log folder lock', () => {
  it('lets one holder in at a time, in this process too', async () => {
    const dir = folder();
    const order: string[] = [];
    const hold = (name: string) =>
      withDirectoryLock(dir, async () => {
        order.push(`${name} in`);
        expect(readlinkSync(join(dir, LOCK_NAME))).toBe(`${process.pid} ${currentProcess().start}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    expect(order).toEqual(expect.arrayContaining(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']));
    for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i]!.replace(' in', ' out'));
    expect(existsSync(join(dir, LOCK_NAME))).toBe(false);
  });

  it('takes the lock over from a dead holder, and from a reused pid (another start time)', async () => {
    const dir = folder();
    symlinkSync(`${deadPid()} 1`, join(dir, LOCK_NAME));
    expect(await withDirectoryLock(dir, async () => 'taken', { timeoutMs: 2000 })).toBe('taken');
    // A live pid with another start time is another process: the holder is gone.
    symlinkSync(`${process.ppid} 1`, join(dir, LOCK_NAME));
    expect(isAlive({ pid: process.ppid, start: 1 })).toBe(false);
    expect(await withDirectoryLock(dir, async () => 'taken again', { timeoutMs: 2000 })).toBe('taken again');
  });

  it('waits for a live holder and gives up with a clear error after its time', async () => {
    const dir = folder();
    const parent = { pid: process.ppid, start: 0 };
    symlinkSync(`${parent.pid} 0`, join(dir, LOCK_NAME));
    await expect(withDirectoryLock(dir, async () => 'never', { timeoutMs: 100 })).rejects.toThrow(/stayed locked by process/);
  });

  it('records one live owner per stream; a dead owner is replaced', async () => {
    const dir = folder();
    await claimStream(dir, 'headsetd', 1000);
    expect(liveOwners(dir)).toEqual([{ stream: 'headsetd', pid: process.pid, start: currentProcess().start, reserveBytes: 1000 }]);
    await releaseStream(dir, 'headsetd');
    expect(liveOwners(dir)).toEqual([]);
  });
});
