import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { MiB } from './measure.js';

/**
 * Two root file system images the way a headset's would be made: ext4 built with `mkfs.ext4 -d`
 * from real binaries, libraries and data of this machine (version 1), then the same tree changed
 * the way a security update changes one (version 2): a few libraries and binaries patched in place
 * or grown by a few KiB, one new library, rebuilt with the same mkfs options. A fixed UUID, hash
 * seed, root owner and E2FSPROGS_FAKE_TIME make the images reproducible, so what differs between
 * them is what the update changed (and the blocks it moved).
 */

export const IMAGE_SIZE = 160 * MiB;
const UUID = '5b2c1d4e-7f80-4a1b-9c2d-3e4f5a6b7c8d';
const V1_TIME = 1_767_225_600; // 2026-01-01T00:00:00Z
const V2_TIME = 1_769_904_000; // 2026-02-01T00:00:00Z
/** Per source folder, in this order; files over MAX_FILE are left out so the tree has many files. */
const MAX_FILE = 4 * MiB;

export interface ImagePair {
  v1: string;
  v2: string;
  /** Files and bytes copied into version 1. */
  files: number;
  bytes: number;
  /** Paths (inside the image) that version 2 changed, and the one it added. */
  changed: { path: string; patchedBytes: number; appendedBytes: number }[];
  added: { path: string; bytes: number };
  mkfsOptions: string;
}

export function findMkfs(): string {
  for (const path of ['/sbin/mkfs.ext4', '/usr/sbin/mkfs.ext4']) if (existsSync(path)) return path;
  throw new Error('mkfs.ext4 not found in /sbin or /usr/sbin: install e2fsprogs');
}

export function buildImagePair(work: string): ImagePair {
  const mkfs = findMkfs();
  const root = join(work, 'rootfs');
  const libDir = existsSync('/usr/lib/x86_64-linux-gnu')
    ? '/usr/lib/x86_64-linux-gnu'
    : existsSync('/usr/lib/aarch64-linux-gnu')
      ? '/usr/lib/aarch64-linux-gnu'
      : '/usr/lib';
  const sources = [
    { from: libDir, budget: 60 * MiB },
    { from: '/usr/bin', budget: 30 * MiB },
    { from: '/usr/share', budget: 30 * MiB },
  ];
  const copied: { path: string; size: number }[] = [];
  const leftOver: { source: string; size: number }[] = [];
  for (const { from, budget } of sources) copyTree(from, root, budget, copied, leftOver);
  const bytes = copied.reduce((sum, f) => sum + f.size, 0);

  const mkfsArgs = ['-q', '-F', '-t', 'ext4', '-U', UUID, '-E', `root_owner=0:0,hash_seed=${UUID}`];
  const mkfsOptions = `${mkfsArgs.join(' ')} -d DIR IMG ${IMAGE_SIZE / MiB}M`;
  const v1 = join(work, 'rootfs-1.0.0.img');
  const v2 = join(work, 'rootfs-1.0.1.img');
  const makeImage = (image: string, time: number) =>
    execFileSync(mkfs, [...mkfsArgs, '-d', root, image, `${IMAGE_SIZE / 1024}k`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, E2FSPROGS_FAKE_TIME: String(time) },
    });
  makeImage(v1, V1_TIME);

  // The security update: 6 shared libraries and 2 binaries, each patched in 2 places (1-2 KiB
  // each), every other one also grown by 2-3 KiB; one new library.
  const inLib = (f: { path: string }) => f.path.startsWith(join(root, libDir)) && /\.so(\.\d+)*$/.test(f.path);
  const inBin = (f: { path: string }) => f.path.startsWith(join(root, '/usr/bin'));
  const libs = spread(
    copied.filter((f) => inLib(f) && f.size >= 128 * 1024),
    6,
  );
  const bins = spread(
    copied.filter((f) => inBin(f) && f.size >= 64 * 1024),
    2,
  );
  const changed: ImagePair['changed'] = [];
  for (const [index, file] of [...libs, ...bins].entries()) {
    const fd = openSync(file.path, 'r+');
    let patchedBytes = 0;
    let appendedBytes = 0;
    try {
      for (const [part, at] of [0.3, 0.7].entries()) {
        const length = 1024 + ((index * 389 + part * 211) % 1024);
        writeSync(fd, pseudoRandom(`patch ${index}.${part}`, length), 0, length, Math.floor((file.size * at) / 16) * 16);
        patchedBytes += length;
      }
      if (index % 2 === 0) {
        appendedBytes = 2048 + index * 128;
        writeSync(fd, pseudoRandom(`grow ${index}`, appendedBytes), 0, appendedBytes, file.size);
      }
    } finally {
      closeSync(fd);
    }
    utimesSync(file.path, V2_TIME, V2_TIME);
    changed.push({ path: `/${relative(root, file.path)}`, patchedBytes, appendedBytes });
  }
  // The new file: a real library of this machine that version 1 did not have.
  const candidate =
    leftOver.find((f) => /\.so(\.\d+)*$/.test(f.source) && f.size >= 64 * 1024 && f.size <= MiB) ??
    leftOver.find((f) => f.size >= 64 * 1024 && f.size <= MiB);
  if (!candidate) throw new Error('no file left over to add as the new library');
  const addedPath = join(root, libDir, `${basename(candidate.source)}`);
  if (existsSync(addedPath)) throw new Error(`${addedPath} is already in version 1`);
  copyFileSync(candidate.source, addedPath);
  utimesSync(addedPath, V2_TIME, V2_TIME);
  makeImage(v2, V2_TIME);

  return { v1, v2, files: copied.length, bytes, changed, added: { path: `/${relative(root, addedPath)}`, bytes: candidate.size }, mkfsOptions };
}

export interface VersionMovePair {
  v1: string;
  v2: string;
  files: number;
  /** Libraries replaced by another build under a new version number, moved, removed. */
  rebuilt: number;
  moved: number;
  removed: number;
}

/**
 * The second pair (issue 17): the same kind of tree, then about 30 % of its shared libraries
 * replaced by other builds of the same library under the next version number (`libfoo.so.1.2.3` →
 * `libfoo.so.1.2.4`: 40 scattered 4-byte changes and 1-4 KiB of new code inserted in the middle, so
 * everything after it moved), a few moved to another folder, a few removed. Rebuilt with the same
 * options, as images.ts's first pair.
 */
export function buildVersionMovePair(work: string): VersionMovePair {
  const mkfs = findMkfs();
  const root = join(work, 'rootfs-moves');
  const libDir = existsSync('/usr/lib/x86_64-linux-gnu') ? '/usr/lib/x86_64-linux-gnu' : '/usr/lib';
  const copied: { path: string; size: number }[] = [];
  for (const [from, budget] of [
    [libDir, 60 * MiB],
    ['/usr/bin', 30 * MiB],
    ['/usr/share', 30 * MiB],
  ] as const)
    copyTree(from, root, budget, copied, []);
  const mkfsArgs = ['-q', '-F', '-t', 'ext4', '-U', UUID, '-E', `root_owner=0:0,hash_seed=${UUID}`];
  const v1 = join(work, 'rootfs-moves-1.0.0.img');
  const v2 = join(work, 'rootfs-moves-1.1.0.img');
  const makeImage = (image: string, time: number) =>
    execFileSync(mkfs, [...mkfsArgs, '-d', root, image, `${IMAGE_SIZE / 1024}k`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, E2FSPROGS_FAKE_TIME: String(time) },
    });
  makeImage(v1, V1_TIME);
  const libs = copied.filter((f) => f.path.startsWith(join(root, libDir)) && /\.so\.\d+(\.\d+)*$/.test(f.path) && f.size >= 16 * 1024);
  const rebuilt = libs.filter((_, i) => i % 10 < 3);
  for (const [index, file] of rebuilt.entries()) {
    const bytes = readFileSync(file.path);
    for (let i = 0; i < 40; i++) {
      const at = createHash('sha256').update(`${index}.${i}`).digest().readUInt32LE(0) % Math.max(1, bytes.length - 4);
      pseudoRandom(`rebuild ${index}.${i}`, 4).copy(bytes, at);
    }
    const insert = pseudoRandom(`insert ${index}`, 1024 + ((index * 977) % 3072));
    const middle = Math.floor(bytes.length / 2);
    rmSync(file.path);
    const next = file.path.replace(/(\d+)$/, (n) => String(Number(n) + 1));
    writeFileSync(next, Buffer.concat([bytes.subarray(0, middle), insert, bytes.subarray(middle)]));
    utimesSync(next, V2_TIME, V2_TIME);
  }
  const others = libs.filter((_, i) => i % 10 >= 3);
  const moved = others.filter((_, i) => i % 25 === 0);
  mkdirSync(join(root, libDir, 'moved'), { recursive: true });
  for (const file of moved) renameSync(file.path, join(root, libDir, 'moved', basename(file.path)));
  const removed = others.filter((_, i) => i % 25 === 12);
  for (const file of removed) rmSync(file.path);
  makeImage(v2, V2_TIME);
  return { v1, v2, files: copied.length, rebuilt: rebuilt.length, moved: moved.length, removed: removed.length };
}

/** Copies regular files under `from` (sorted walk, symlinks and unreadable files skipped) into `root` + the same path, up to `budget` bytes. */
function copyTree(
  from: string,
  root: string,
  budget: number,
  copied: { path: string; size: number }[],
  leftOver: { source: string; size: number }[],
): void {
  let used = 0;
  let spare = 0;
  const walk = (dir: string): boolean => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return false;
    }
    for (const entry of entries) {
      const source = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (walk(source)) return true;
        continue;
      }
      if (!entry.isFile()) continue;
      let size: number;
      try {
        size = statSync(source).size;
      } catch {
        continue;
      }
      if (size > MAX_FILE) continue;
      if (used + size > budget) {
        // Files that did not fit: candidates for the file the update adds.
        leftOver.push({ source, size });
        if (++spare >= 50 && used > budget - 64 * 1024) return true;
        continue;
      }
      const target = join(root, source);
      try {
        mkdirSync(dirname(target), { recursive: true });
        copyFileSync(source, target);
        // The source's atime changes whenever it is read: mtime for both keeps the image reproducible.
        const { mtime } = statSync(source);
        utimesSync(target, mtime, mtime);
      } catch {
        continue;
      }
      used += size;
      copied.push({ path: target, size });
    }
    return false;
  };
  walk(from);
}

/** `count` entries spread evenly over the list. */
function spread<T>(list: T[], count: number): T[] {
  if (list.length < count) throw new Error(`only ${list.length} candidate files to change, ${count} needed`);
  return Array.from({ length: count }, (_, i) => list[Math.floor(((i + 0.5) * list.length) / count)]!);
}

/** Reproducible bytes that look like new machine code to a compressor (incompressible). */
function pseudoRandom(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let offset = 0, counter = 0; offset < length; counter++) {
    offset += createHash('sha256').update(`${seed}/${counter}`).digest().copy(out, offset);
  }
  return out;
}
