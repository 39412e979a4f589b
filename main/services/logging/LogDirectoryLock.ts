import { readdirSync, readFileSync } from 'node:fs';
import { open, readlink, rename, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Coordination of the processes that write one log folder (headsetd, Electron main, ...), each
 * into its own stream:
 * - a lock (`.lock`, a symbolic link to "pid start-time", made atomically) around retention passes and
 *   the commit of a compressed file, so that two processes never count or delete at once;
 * - an owner record per stream (`.STREAM.owner`) with the bytes the owner may add to the folder
 *   before its next retention pass (its active file and one compression under way), so every
 *   retention pass leaves room for what the others may still write.
 * A holder or an owner whose process is gone (pid dead, or reused: the start time differs) is stale.
 */
export interface ProcessId {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/PID/stat field 22); 0 when unknown. */
  start: number;
}

export interface StreamOwner extends ProcessId {
  stream: string;
  /** The bytes this owner may add to the folder between two of its retention passes. */
  reserveBytes: number;
}

export const LOCK_NAME = '.lock';
const STEAL_NAME = '.lock.steal';

export function ownerFileName(stream: string): string {
  return `.${stream}.owner`;
}

let self: ProcessId | undefined;

export function currentProcess(): ProcessId {
  self ??= { pid: process.pid, start: processStart(process.pid) };
  return self;
}

function processStart(pid: number): number {
  try {
    // Field 2 (the command) may hold spaces and parentheses: count fields after its last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]) || 0;
  } catch {
    return 0;
  }
}

/** Whether the process is still the one that wrote `id` (not gone, not a reused pid). */
export function isAlive(id: ProcessId): boolean {
  if (id.pid === process.pid) return id.start === currentProcess().start;
  try {
    process.kill(id.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (id.start === 0) return true;
  const start = processStart(id.pid);
  return start === 0 || start === id.start;
}

function parseId(text: string): ProcessId | undefined {
  const [pid, start] = text.trim().split(' ').map(Number);
  return pid && Number.isInteger(pid) ? { pid, start: start ?? 0 } : undefined;
}

/**
 * Creates `path` naming `text`, failing (false) if it exists. The lock is a symbolic link: made in
 * one step (never half-written), and a short one takes no data block, so a full disk can still be
 * locked and cleaned up.
 */
async function createExclusive(path: string, text: string): Promise<boolean> {
  try {
    await symlink(text, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function holderOf(path: string): Promise<ProcessId | undefined | 'gone'> {
  try {
    return parseId(await readlink(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

/**
 * Runs `work` holding the folder's lock. Waits (polling, never blocking the event loop) while a
 * live process holds it; takes it over from a dead one. Stealing goes through a second lock so
 * two processes that both found the same stale holder cannot both remove it (one could remove
 * the fresh lock the other just made).
 */
export async function withDirectoryLock<T>(dir: string, work: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  const path = join(dir, LOCK_NAME);
  const me = currentProcess();
  const text = `${me.pid} ${me.start}`;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let wait = 1;
  for (;;) {
    if (await createExclusive(path, text)) break;
    const holder = await holderOf(path);
    if (holder !== 'gone' && (holder === undefined || !isAlive(holder))) await stealStale(dir, path, holder);
    if (Date.now() > deadline) throw new Error(`The log folder ${dir} stayed locked by process ${holder === 'gone' ? '?' : (holder?.pid ?? '?')}`);
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, 20);
  }
  try {
    return await work();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

async function stealStale(dir: string, path: string, stale: ProcessId | undefined): Promise<void> {
  const stealPath = join(dir, STEAL_NAME);
  const me = currentProcess();
  if (!(await createExclusive(stealPath, `${me.pid} ${me.start}`))) {
    const stealer = await holderOf(stealPath);
    // A stealer that died mid-steal: its steal lock goes, the next round tries again.
    if (stealer !== 'gone' && (stealer === undefined || !isAlive(stealer))) await unlink(stealPath).catch(() => undefined);
    return;
  }
  try {
    const again = await holderOf(path);
    const same =
      again !== 'gone' && (again === undefined ? stale === undefined : stale !== undefined && again.pid === stale.pid && again.start === stale.start);
    if (same) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(stealPath).catch(() => undefined);
  }
}

/** Records this process as the owner of `stream` (refused while another live process owns it). */
export async function claimStream(dir: string, stream: string, reserveBytes: number): Promise<void> {
  const me = currentProcess();
  const path = join(dir, ownerFileName(stream));
  const current = readOwner(dir, stream);
  if (current && isAlive(current) && current.pid !== me.pid)
    throw new Error(`The log stream ${stream} in ${dir} is already written by process ${current.pid}`);
  const record: StreamOwner = { stream, pid: me.pid, start: me.start, reserveBytes };
  const temporary = `${path}.${me.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o640);
  try {
    await handle.writeFile(JSON.stringify(record));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

export async function releaseStream(dir: string, stream: string): Promise<void> {
  const current = readOwner(dir, stream);
  if (current && current.pid === process.pid) await unlink(join(dir, ownerFileName(stream))).catch(() => undefined);
}

export function readOwner(dir: string, stream: string): StreamOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, ownerFileName(stream)), 'utf8')) as StreamOwner;
    return typeof parsed.pid === 'number' && typeof parsed.reserveBytes === 'number' ? { ...parsed, stream } : undefined;
  } catch {
    return undefined;
  }
}

/** The owners recorded in `dir` whose processes still run. */
export function liveOwners(dir: string): StreamOwner[] {
  const names = readdirSync(dir);
  const owners: StreamOwner[] = [];
  for (const name of names) {
    const match = /^\.(.+)\.owner$/.exec(name);
    if (!match) continue;
    const owner = readOwner(dir, match[1]!);
    if (owner && isAlive(owner)) owners.push(owner);
  }
  return owners;
}
