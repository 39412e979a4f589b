import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';

/**
 * Which blocks of an ext4 image hold which file, read with e2fsprogs' `debugfs` (read-only, `-c`):
 * the operator's machine has e2fsprogs (it builds the images with mke2fs), and debugfs is the
 * reference reader of the format, so every feature the image uses (extents, flex_bg, htree
 * directories, inline data, 64-bit) is read as the kernel would, without a second implementation
 * of the format to keep right. Only the operator's tool needs this: applying a delta reads and
 * writes blocks, never the file system.
 */

export interface Ext4File {
  path: string;
  inode: number;
  size: number;
  /** The physical blocks of the file's data, in file order (holes and unwritten extents left out). */
  blocks: number[];
}

export interface Ext4Map {
  blockSize: number;
  blockCount: number;
  /** Regular files with data blocks (a hard link once, at its first path). */
  files: Ext4File[];
}

const EXT4_MAGIC = 0xef53;
/** A row of `ex -l`: level, entry, "LOGICAL - LOGICAL", "PHYSICAL - PHYSICAL", length, flags. */
const EXTENT_ROW = /^\s*\d+\/\s*\d+\s+\d+\/\s*\d+\s+(\d+)\s*-\s*(\d+)\s+(\d+)\s*-\s*(\d+)\s+\d+\s*(\S*)\s*$/;

/** True when the bytes at 1024 are an ext2/3/4 superblock. */
export async function isExt4Image(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const superblock = Buffer.alloc(1024);
    const { bytesRead } = await handle.read(superblock, 0, 1024, 1024);
    return bytesRead === 1024 && superblock.readUInt16LE(56) === EXT4_MAGIC;
  } finally {
    await handle.close();
  }
}

/** The superblock's block size and count (s_log_block_size, s_blocks_count_lo/hi). */
async function readGeometry(path: string): Promise<{ blockSize: number; blockCount: number }> {
  const handle = await open(path, 'r');
  try {
    const sb = Buffer.alloc(1024);
    await handle.read(sb, 0, 1024, 1024);
    if (sb.readUInt16LE(56) !== EXT4_MAGIC) throw new Error(`${path} is not an ext2/3/4 image`);
    const blockSize = 1024 * 2 ** sb.readUInt32LE(24);
    const incompat = sb.readUInt32LE(96);
    const high = incompat & 0x80 ? sb.readUInt32LE(0x150) : 0; // INCOMPAT_64BIT
    return { blockSize, blockCount: high * 2 ** 32 + sb.readUInt32LE(4) };
  } finally {
    await handle.close();
  }
}

/** Maps every regular file of the image to its blocks: a walk of the directories, then `blocks` for each file. */
export async function mapExt4Files(image: string, debugfs = 'debugfs'): Promise<Ext4Map> {
  const geometry = await readGeometry(image);
  const files = new Map<number, { path: string; size: number }>();
  const seenDirs = new Set<number>([2]);
  let level: { inode: number; path: string }[] = [{ inode: 2, path: '' }];
  while (level.length > 0) {
    // One debugfs run per level of the tree: `ls -p <inode>` for each directory in it.
    const outputs = await runCommands(
      debugfs,
      image,
      level.map((dir) => `ls -p <${dir.inode}>`),
    );
    const next: { inode: number; path: string }[] = [];
    for (const [index, output] of outputs.entries()) {
      const dir = level[index]!;
      for (const line of output) {
        // /inode/mode/uid/gid/name/size/ ; a name never holds "/", so the fields split cleanly.
        const match = /^\/(\d+)\/(\d+)\/\d+\/\d+\/(.*)\/(\d*)\/$/.exec(line);
        if (!match) {
          if (line.trim() === '') continue;
          throw new Error(`debugfs listed an entry it did not describe clearly: ${JSON.stringify(line.slice(0, 200))}`);
        }
        const [, inodeText, modeText, name, sizeText] = match;
        if (name === '.' || name === '..') continue;
        const inode = Number(inodeText);
        const type = Number.parseInt(modeText!, 8) & 0o170000;
        const path = `${dir.path}/${name}`;
        if (type === 0o040000 && !seenDirs.has(inode)) {
          seenDirs.add(inode);
          next.push({ inode, path });
        } else if (type === 0o100000 && !files.has(inode)) files.set(inode, { path, size: Number(sizeText || 0) });
      }
    }
    level = next;
  }
  const inodes = [...files.keys()];
  // `ex -l`: the leaf extents only (data blocks, not the tree's index blocks, which are metadata).
  const extentLists = await runCommands(
    debugfs,
    image,
    inodes.map((inode) => `ex -l <${inode}>`),
  );
  const result: Ext4File[] = [];
  for (const [index, inode] of inodes.entries()) {
    const blocks: number[] = [];
    for (const line of extentLists[index]!) {
      const extent = EXTENT_ROW.exec(line);
      if (!extent) continue; // the heading; a file without extents lists none (its blocks count as metadata)
      const [logicalStart, logicalEnd, physicalStart, physicalEnd] = extent.slice(1, 5).map(Number) as [number, number, number, number];
      // An unwritten (uninitialized) extent reads as zeros: nothing to take from it.
      if (/Uninit/i.test(extent[5] ?? '')) continue;
      if (logicalEnd - logicalStart !== physicalEnd - physicalStart || physicalEnd >= geometry.blockCount)
        throw new Error(`debugfs gave an extent outside the image for inode ${inode}`);
      for (let block = physicalStart; block <= physicalEnd; block++) blocks.push(block);
    }
    if (blocks.length > 0) result.push({ inode, ...files.get(inode)!, blocks });
  }
  return { ...geometry, files: result };
}

/**
 * Runs debugfs once with the commands in a request file read from stdin (`-f -`), and splits its
 * output at the "debugfs: COMMAND" line it echoes before each command's answer.
 */
async function runCommands(debugfs: string, image: string, commands: string[]): Promise<string[][]> {
  if (commands.length === 0) return [];
  const child = spawn(debugfs, ['-c', '-f', '-', image], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    if (stderr.length < 8192) stderr += text;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  child.stdin.end(commands.join('\n') + '\n');
  const code = await exited;
  if (code !== 0) throw new Error(`debugfs exited with ${code}: ${stderr.trim().slice(0, 500)}`);
  const answers: string[][] = [];
  let current: string[] | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('debugfs: ')) {
      current = [];
      answers.push(current);
    } else current?.push(line);
  }
  if (answers.length !== commands.length) throw new Error(`debugfs answered ${answers.length} of ${commands.length} commands`);
  return answers;
}
