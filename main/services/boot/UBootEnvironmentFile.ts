import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  UBOOT_ENV_REDUNDANT_HEADER_BYTES,
  UBootEnvFormatError,
  decodeUBootEnv,
  encodeRedundantUBootEnv,
  encodeUBootEnv,
  readRedundantUBootEnv,
} from '../../../src/boot/ubootEnvCodec.js';
import { fsyncDirectory, writeFileAtomic } from '../storage/atomicFile.js';
import { fileSync } from '../storage/fileSync.js';
import type { BootEnvironmentStore } from './ports.js';

export interface UBootEnvCopyLocation {
  /** A plain file or a block device (not MTD or UBI: those need erase blocks and ioctls). */
  path: string;
  offset: number;
}

/** Where the environment lives: what one fw_env.config describes. */
export interface UBootEnvLayout {
  /** CONFIG_ENV_SIZE: bytes per copy, CRC (and flag) included. */
  envSize: number;
  /** One copy, or two for a redundant environment: two files, or two offsets of one file or device. */
  copies: readonly [UBootEnvCopyLocation] | readonly [UBootEnvCopyLocation, UBootEnvCopyLocation];
}

function checkLayout(layout: UBootEnvLayout): void {
  const { envSize, copies } = layout;
  if (!Number.isSafeInteger(envSize) || envSize <= UBOOT_ENV_REDUNDANT_HEADER_BYTES)
    throw new RangeError(`Invalid U-Boot environment size: ${envSize}`);
  if (copies.length !== 1 && copies.length !== 2) throw new RangeError('A U-Boot environment has one or two copies.');
  for (const copy of copies) {
    if (!Number.isSafeInteger(copy.offset) || copy.offset < 0) throw new RangeError(`Invalid offset ${copy.offset} for ${copy.path}`);
    // libubootenv takes these prefixes for MTD/UBI devices, which it erases and writes differently.
    if (/^\/dev\/(mtd|ubi)/.test(copy.path)) throw new RangeError(`MTD and UBI devices are not supported: ${copy.path}`);
  }
  const [a, b] = copies;
  if (b && resolve(a.path) === resolve(b.path) && Math.abs(a.offset - b.offset) < envSize) throw new RangeError('The two copies overlap.');
}

/**
 * The fw_env.config text for `layout`, one `DEVICE OFFSET ENV_SIZE` line per copy, as libubootenv's
 * fw_printenv/fw_setenv read it (`-c FILE`, or /etc/fw_env.config on a device). Numbers are written
 * in hex with 0x: libubootenv parses the size with %zx, so a bare "8192" would mean 0x8192.
 */
export function formatFwEnvConfig(layout: UBootEnvLayout): string {
  checkLayout(layout);
  const lines = ['# device offset env-size (written by headsetd)'];
  for (const copy of layout.copies) {
    const path = resolve(copy.path);
    if (/\s/.test(path)) throw new RangeError(`fw_env.config cannot hold a path with white space: ${JSON.stringify(path)}`);
    lines.push(`${path} 0x${copy.offset.toString(16)} 0x${layout.envSize.toString(16)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** strtoll with base 0, as sscanf's %lli reads the offset: 0x hex, leading 0 octal, else decimal. */
function parseCInteger(text: string): number | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  const digits = match[2]!;
  const value = /^0[xX]/.test(digits)
    ? parseInt(digits.slice(2), 16)
    : digits.length > 1 && digits.startsWith('0')
      ? parseInt(digits, 8)
      : parseInt(digits, 10);
  return match[1] === '-' ? -value : value;
}

/**
 * Reads the classic fw_env.config (`DEVICE OFFSET ENV_SIZE [SECTOR_SIZE [SECTORS]]`, '#' comments,
 * the first two device lines used, lines with fewer than three fields skipped), as libubootenv does.
 * Not supported: negative offsets (counted from the end of a block device), MTD/UBI devices, and
 * the YAML format of newer libubootenv.
 */
export function parseFwEnvConfig(text: string): UBootEnvLayout {
  const copies: UBootEnvCopyLocation[] = [];
  let envSize: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const [path, offsetText, sizeText] = line.trim().split(/\s+/);
    if (path === undefined || offsetText === undefined || sizeText === undefined) continue;
    const offset = parseCInteger(offsetText);
    const size = /^(0[xX])?[0-9a-fA-F]+$/.test(sizeText) ? parseInt(sizeText.replace(/^0[xX]/, ''), 16) : undefined;
    if (offset === undefined || size === undefined) continue;
    if (size === 0) throw new RangeError(`fw_env.config: zero environment size for ${path}`);
    if (offset < 0) throw new RangeError(`fw_env.config: offsets from the end of a device are not supported (${path} ${offsetText})`);
    if (envSize !== undefined && size !== envSize) throw new RangeError('fw_env.config: the two copies differ in size.');
    envSize = size;
    copies.push({ path, offset });
    if (copies.length === 2) break;
  }
  if (envSize === undefined || copies.length === 0) throw new RangeError('fw_env.config describes no environment.');
  const layout: UBootEnvLayout = { envSize, copies: copies as [UBootEnvCopyLocation] | [UBootEnvCopyLocation, UBootEnvCopyLocation] };
  checkLayout(layout);
  return layout;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * The U-Boot environment as a BootEnvironmentStore, in the format fw_printenv/fw_setenv
 * (libubootenv) and U-Boot itself read and write.
 *
 * Power cuts: with two copies, a save rewrites only the older copy, in place, with the next flag,
 * then fsyncs; the copy in force is never touched, so a cut mid-write leaves a copy with a bad CRC
 * and every reader loads the other one. A single copy that is a whole plain file is replaced with
 * a rename (temp + fsync + rename); a single copy inside a larger file or device can only be
 * rewritten in place, as U-Boot's saveenv does: give such devices two copies.
 *
 * Unlike libubootenv, a copy that cannot be read in full (a short file) counts as corrupt rather
 * than failing the whole read: U-Boot always reads a fixed-size region, so there it is just a bad CRC.
 * fw_setenv's lock (flock on /var/lock/fw_printenv.lock) is not taken, Node having no flock: an
 * operator's fw_setenv must not run while headsetd saves.
 */
export class UBootEnvironmentFile implements BootEnvironmentStore {
  constructor(readonly layout: UBootEnvLayout) {
    checkLayout(layout);
  }

  async read(): Promise<Map<string, string>> {
    const { envSize, copies } = this.layout;
    if (copies.length === 1) {
      const block = await this.readCopy(copies[0]);
      if (block === undefined) return new Map();
      if (block.length < envSize)
        throw new UBootEnvFormatError('too-short', `${copies[0].path}: the environment is cut short (${block.length} of ${envSize} bytes).`);
      return decodeUBootEnv(block);
    }
    const blocks = await Promise.all(copies.map((copy) => this.readCopy(copy)));
    if (blocks.every((block) => block === undefined)) return new Map();
    const state = readRedundantUBootEnv(...this.fullCopies(blocks));
    if (state.current === undefined) {
      const why = state.errors.map((error, i) => `copy ${i}: ${error?.message ?? 'valid'}`).join('; ');
      throw new UBootEnvFormatError(state.errors[0]?.kind ?? 'bad-crc', `Neither copy of the U-Boot environment is valid (${why}).`);
    }
    return state.variables;
  }

  async write(variables: ReadonlyMap<string, string>): Promise<void> {
    const { envSize, copies } = this.layout;
    if (copies.length === 1) {
      const block = encodeUBootEnv(variables, envSize);
      const target = await this.wholeFile(copies[0]);
      if (target) await writeFileAtomic(target.path, block, { mode: target.mode });
      else await this.writeInPlace(copies[0], block);
      return;
    }
    const blocks = await Promise.all(copies.map((copy) => this.readCopy(copy)));
    const full = this.fullCopies(blocks);
    const { next } = readRedundantUBootEnv(...full);
    await this.writeInPlace(copies[next.copy], encodeRedundantUBootEnv(variables, envSize, next.flag));
    // fw_printenv refuses a layout whose other copy cannot be read in full: give it erased flash,
    // which is what it held anyway (a copy that short is invalid, so never the one in force).
    const other = next.copy === 0 ? 1 : 0;
    if (full[other] === undefined) await this.writeInPlace(copies[other], new Uint8Array(envSize).fill(0xff));
  }

  private fullCopies(blocks: (Uint8Array | undefined)[]): [Uint8Array | undefined, Uint8Array | undefined] {
    const full = blocks.map((block) => (block !== undefined && block.length === this.layout.envSize ? block : undefined));
    return [full[0], full[1]];
  }

  /** The real path and mode when the copy is a whole plain file (or none yet), so a rename can replace it. */
  private async wholeFile(copy: UBootEnvCopyLocation): Promise<{ path: string; mode: number } | undefined> {
    if (copy.offset !== 0) return undefined;
    try {
      const path = await realpath(copy.path);
      const info = await stat(path);
      return info.isFile() && info.size <= this.layout.envSize ? { path, mode: info.mode & 0o7777 } : undefined;
    } catch (error) {
      if (isMissing(error)) return { path: copy.path, mode: 0o644 };
      throw error;
    }
  }

  /** Up to envSize bytes at the copy's offset (fewer when the file is short); undefined when there is no file. */
  protected async readCopy(copy: UBootEnvCopyLocation): Promise<Uint8Array | undefined> {
    let handle;
    try {
      handle = await open(copy.path, 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      const block = new Uint8Array(this.layout.envSize);
      let got = 0;
      while (got < block.length) {
        const { bytesRead } = await handle.read(block, got, block.length - got, copy.offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return block.subarray(0, got);
    } finally {
      await handle.close();
    }
  }

  /** Writes the block at the copy's offset and fsyncs, creating the file if needed (never truncating). */
  protected async writeInPlace(copy: UBootEnvCopyLocation, block: Uint8Array): Promise<void> {
    let created = false;
    let handle;
    try {
      handle = await open(copy.path, 'r+');
    } catch (error) {
      if (!isMissing(error)) throw error;
      handle = await open(copy.path, constants.O_RDWR | constants.O_CREAT, 0o644);
      created = true;
    }
    try {
      let written = 0;
      while (written < block.length) {
        const { bytesWritten } = await handle.write(block, written, block.length - written, copy.offset + written);
        written += bytesWritten;
      }
      // Through the one FileSync, so a simulated power cut sees this fsync like every other.
      await fileSync().syncFile(handle, resolve(copy.path));
    } finally {
      await handle.close();
    }
    if (created) await fsyncDirectory(dirname(resolve(copy.path)));
  }
}
