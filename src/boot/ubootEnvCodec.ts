import type { BootVariables } from './grubEnvCodec.js';

/**
 * U-Boot's environment block, as U-Boot (env_import, saveenv) and libubootenv (fw_printenv,
 * fw_setenv) read and write it:
 *
 *   single copy:     crc32 (LE) | data
 *   redundant copy:  crc32 (LE) | flag | data       (two such copies; the flag is outside the CRC)
 *   data:            "name=value\0" ... "\0", then padding to the end of the block
 *
 * The CRC is zlib's CRC-32 over the whole data area, padding included. We pad with 0xFF (erased
 * flash); libubootenv 0.3.2 leaves whatever its buffer held, so a reader must stop at the empty
 * string and never look at the padding.
 */
export const UBOOT_ENV_CRC_BYTES = 4;
/** CRC and flag byte of a redundant copy. */
export const UBOOT_ENV_REDUNDANT_HEADER_BYTES = 5;

export type UBootEnvFormatErrorKind = 'bad-crc' | 'no-terminator' | 'too-large' | 'too-short' | 'invalid-name' | 'invalid-value';

export class UBootEnvFormatError extends Error {
  override name = 'UBootEnvFormatError';
  constructor(
    readonly kind: UBootEnvFormatErrorKind,
    message: string,
  ) {
    super(message);
  }
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** zlib's CRC-32 (reflected, polynomial 0xEDB88320), the one U-Boot and libubootenv use. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF: names and values are raw bytes, not documents.
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function encodeData(variables: BootVariables, dataSize: number): Uint8Array {
  const entries: Uint8Array[] = [];
  let length = 0;
  for (const [name, value] of variables) {
    // An empty name would be saved as "=value", which U-Boot cannot load back as a variable.
    if (name.length === 0 || /[=\0]/.test(name)) throw new UBootEnvFormatError('invalid-name', `Invalid variable name: ${JSON.stringify(name)}`);
    if (value.includes('\0')) throw new UBootEnvFormatError('invalid-value', `The value of ${name} holds a NUL byte.`);
    const entry = encoder.encode(`${name}=${value}\0`);
    entries.push(entry);
    length += entry.length;
  }
  // One more byte for the empty string that ends the list.
  if (length + 1 > dataSize)
    throw new UBootEnvFormatError('too-large', `Boot variables need ${length + 1} bytes; the environment holds ${dataSize}.`);
  const data = new Uint8Array(dataSize).fill(0xff);
  let at = 0;
  for (const entry of entries) {
    data.set(entry, at);
    at += entry.length;
  }
  data[at] = 0;
  return data;
}

/**
 * Reads entries up to the empty string, as libubootenv does: an entry without '=' is skipped and a
 * later duplicate wins. An empty name ("=x") is skipped too (newer libubootenv refuses it;
 * 0.3.2 lists it). "name=" is kept with an empty value, as fw_printenv lists it, though U-Boot
 * itself treats it as unset. A data area filled to its last byte with complete entries is accepted
 * (U-Boot stops at the area's end); an entry cut off by the end is not.
 */
function decodeData(data: Uint8Array): Map<string, string> {
  const variables = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf(0, at);
    if (end < 0) throw new UBootEnvFormatError('no-terminator', 'The environment data has no terminating NUL.');
    if (end === at) break;
    const eq = data.indexOf(0x3d /* = */, at);
    if (eq > at && eq < end) variables.set(decoder.decode(data.subarray(at, eq)), decoder.decode(data.subarray(eq + 1, end)));
    at = end + 1;
  }
  return variables;
}

function checkedData(block: Uint8Array, headerBytes: number): Uint8Array {
  if (block.length <= headerBytes)
    throw new UBootEnvFormatError('too-short', `An environment block needs more than ${headerBytes} bytes; got ${block.length}.`);
  const stored = (block[0]! | (block[1]! << 8) | (block[2]! << 16) | (block[3]! << 24)) >>> 0;
  const data = block.subarray(headerBytes);
  if (crc32(data) !== stored) throw new UBootEnvFormatError('bad-crc', 'The environment CRC does not match its data.');
  return data;
}

function withCrc(data: Uint8Array, header: Uint8Array): Uint8Array {
  const block = new Uint8Array(header.length + data.length);
  block.set(header);
  block.set(data, header.length);
  const crc = crc32(data);
  block[0] = crc & 0xff;
  block[1] = (crc >>> 8) & 0xff;
  block[2] = (crc >>> 16) & 0xff;
  block[3] = crc >>> 24;
  return block;
}

/** A single-copy environment of `envSize` bytes (CONFIG_ENV_SIZE, the fw_env.config size). */
export function encodeUBootEnv(variables: BootVariables, envSize: number): Uint8Array {
  if (envSize <= UBOOT_ENV_CRC_BYTES) throw new UBootEnvFormatError('too-short', `An environment of ${envSize} bytes holds no data.`);
  return withCrc(encodeData(variables, envSize - UBOOT_ENV_CRC_BYTES), new Uint8Array(UBOOT_ENV_CRC_BYTES));
}

export function decodeUBootEnv(block: Uint8Array): Map<string, string> {
  return decodeData(checkedData(block, UBOOT_ENV_CRC_BYTES));
}

/** One copy of a redundant environment, `envSize` bytes including CRC and flag. */
export function encodeRedundantUBootEnv(variables: BootVariables, envSize: number, flag: number): Uint8Array {
  if (!Number.isInteger(flag) || flag < 0 || flag > 0xff) throw new RangeError(`A redundant environment flag is one byte; got ${flag}.`);
  if (envSize <= UBOOT_ENV_REDUNDANT_HEADER_BYTES) throw new UBootEnvFormatError('too-short', `An environment of ${envSize} bytes holds no data.`);
  const header = new Uint8Array(UBOOT_ENV_REDUNDANT_HEADER_BYTES);
  header[4] = flag;
  return withCrc(encodeData(variables, envSize - UBOOT_ENV_REDUNDANT_HEADER_BYTES), header);
}

export interface RedundantUBootEnvCopy {
  flag: number;
  variables: Map<string, string>;
}

export function decodeRedundantUBootEnv(block: Uint8Array): RedundantUBootEnvCopy {
  const data = checkedData(block, UBOOT_ENV_REDUNDANT_HEADER_BYTES);
  return { flag: block[4]!, variables: decodeData(data) };
}

/** The flag a save gives the copy it writes: the loaded copy's flag plus one, 255 wrapping to 0. */
export function nextUBootEnvFlag(flag: number): number {
  return (flag + 1) & 0xff;
}

/**
 * Which of two valid copies is newer, exactly as libubootenv (FLAGS_INCREMENTAL, what it uses for
 * files, block devices, UBI and NAND) and U-Boot's env_check_redund decide: the larger flag wins,
 * except that 0 beats 255 (the wrap); equal flags pick copy 0. Nothing else wraps: 3 against 250
 * picks 250. A writer that always adds one to the loaded copy's flag never produces such a pair.
 * (libubootenv's FLAGS_BOOLEAN, active=1/obsolete=0, is only for NOR flash and is not handled here.)
 */
export function newerRedundantCopy(flag0: number, flag1: number): 0 | 1 {
  if (flag0 === 0xff && flag1 === 0) return 1;
  if (flag1 === 0xff && flag0 === 0) return 0;
  return flag1 > flag0 ? 1 : 0;
}

export interface RedundantUBootEnvState {
  /** The copy in force; undefined when neither copy is valid. */
  current: 0 | 1 | undefined;
  /** The variables of the copy in force (empty when there is none). */
  variables: Map<string, string>;
  /** Where the next save goes (always the other copy than `current`) and the flag it carries. */
  next: { copy: 0 | 1; flag: number };
  /** Why a copy was rejected, per copy; undefined for a valid copy. */
  errors: [UBootEnvFormatError | undefined, UBootEnvFormatError | undefined];
}

/**
 * Reads a redundant environment from its two copies (undefined: the copy could not be read in
 * full) the way libubootenv's libuboot_load does, and says where fw_setenv would save next. With
 * neither copy valid, libubootenv takes copy 0 as current, so the save goes to copy 1 with copy 0's
 * flag byte plus one, CRC or not; an unreadable copy 0 counts as erased flash (0xFF).
 */
export function readRedundantUBootEnv(copy0: Uint8Array | undefined, copy1: Uint8Array | undefined): RedundantUBootEnvState {
  const results = [copy0, copy1].map((block): RedundantUBootEnvCopy | UBootEnvFormatError => {
    if (block === undefined) return new UBootEnvFormatError('too-short', 'The copy could not be read in full.');
    try {
      return decodeRedundantUBootEnv(block);
    } catch (error) {
      if (error instanceof UBootEnvFormatError) return error;
      throw error;
    }
  }) as [RedundantUBootEnvCopy | UBootEnvFormatError, RedundantUBootEnvCopy | UBootEnvFormatError];
  const errors = results.map((r) => (r instanceof UBootEnvFormatError ? r : undefined)) as RedundantUBootEnvState['errors'];
  const [r0, r1] = results;
  let current: 0 | 1 | undefined;
  if (!(r0 instanceof UBootEnvFormatError) && !(r1 instanceof UBootEnvFormatError)) current = newerRedundantCopy(r0.flag, r1.flag);
  else if (!(r0 instanceof UBootEnvFormatError)) current = 0;
  else if (!(r1 instanceof UBootEnvFormatError)) current = 1;
  if (current === undefined) {
    const baseFlag = copy0 !== undefined && copy0.length > 4 ? copy0[4]! : 0xff;
    return { current, variables: new Map(), next: { copy: 1, flag: nextUBootEnvFlag(baseFlag) }, errors };
  }
  const loaded = results[current] as RedundantUBootEnvCopy;
  return { current, variables: loaded.variables, next: { copy: current === 0 ? 1 : 0, flag: nextUBootEnvFlag(loaded.flag) }, errors };
}
