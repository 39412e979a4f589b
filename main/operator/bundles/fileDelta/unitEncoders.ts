import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeApproximateDiff } from '../../../../src/update/approximateDiff.js';
import type { UnitMethod } from '../../../../src/update/fileDelta.js';

/** The approximate diff's chunk sizes tried: records of 256 bytes (inodes), blocks of 1 and 4 KiB. */
const ADIFF_CHUNKS = [256, 1024, 4096];

/** The tools the operator's machine runs to encode units (the device decodes with zstd-napi, xz and xdelta3). */
export interface UnitTools {
  zstd: string;
  xz: string;
  xdelta3: string;
}

export const DEFAULT_UNIT_TOOLS: UnitTools = { zstd: 'zstd', xz: 'xz', xdelta3: 'xdelta3' };

export interface EncodedUnit {
  method: UnitMethod;
  data: Buffer;
  /** Every method tried and its size (for the report). */
  tried: Partial<Record<UnitMethod, number>>;
}

/**
 * Encodes a unit's bytes with each method that applies and keeps the smallest: against its
 * reference (zstd --patch-from, xdelta3) when it has one, and without (zstd, xz, and xz with the
 * x86 branch filter where the bytes hold x86 machine code: branch targets made absolute so a call
 * to the same function looks the same wherever it sits). A method whose tool is missing or fails is
 * skipped; zstd without a reference always works.
 */
export async function encodeUnit(
  output: Buffer,
  reference: Buffer | undefined,
  work: string,
  tools: UnitTools,
  /** Only these methods (tests: each method on its own). */
  only?: readonly UnitMethod[],
): Promise<EncodedUnit> {
  const outPath = join(work, 'unit.out');
  const refPath = join(work, 'unit.ref');
  const encoded = join(work, 'unit.enc');
  await writeFile(outPath, output, { mode: 0o600 });
  if (reference) await writeFile(refPath, reference, { mode: 0o600 });
  const candidates: [UnitMethod, string, string[]][] = [['zstd', tools.zstd, ['-q', '-f', '--ultra', '-22', outPath, '-o', encoded]]];
  candidates.push(['xz', tools.xz, ['-q', '-k', '-c', '--check=none', '-9e', outPath]]);
  if (holdsX86Code(output)) candidates.push(['xz-x86', tools.xz, ['-q', '-k', '-c', '--check=none', '--x86', '--lzma2=preset=9e', outPath]]);
  if (reference) {
    candidates.push(['zstd-ref', tools.zstd, ['-q', '-f', '--ultra', '-22', `--patch-from=${refPath}`, outPath, '-o', encoded]]);
    candidates.push(['xdelta3', tools.xdelta3, ['-q', '-e', '-f', '-9', '-S', 'djw', '-s', refPath, outPath, encoded]]);
  }
  let best: { method: UnitMethod; data: Buffer } | undefined;
  const tried: EncodedUnit['tried'] = {};
  const consider = (method: UnitMethod, data: Buffer) => {
    if (only && !only.includes(method)) return;
    tried[method] = Math.min(tried[method] ?? Infinity, data.length);
    if (!best || data.length < best.data.length) best = { method, data };
  };
  try {
    if (reference && (!only || only.includes('adiff-xz'))) {
      const diffPath = join(work, 'unit.adiff');
      for (const chunk of ADIFF_CHUNKS) {
        await writeFile(diffPath, makeApproximateDiff(reference, output, chunk), { mode: 0o600 });
        const result = await run(tools.xz, ['-q', '-k', '-c', '--check=none', '-9e', diffPath]);
        if (result.code === 0) consider('adiff-xz', result.stdout);
      }
      await rm(diffPath, { force: true });
    }
    for (const [method, tool, args] of candidates) {
      if (only && !only.includes(method)) continue;
      await rm(encoded, { force: true });
      const toStdout = args.includes('-c');
      const result = await run(tool, args);
      if (result.code !== 0) continue;
      const data = toStdout ? result.stdout : await readFile(encoded).catch(() => undefined);
      if (!data) continue;
      consider(method, data);
    }
  } finally {
    await Promise.all([outPath, refPath, encoded].map((path) => rm(path, { force: true })));
  }
  const chosen = best as { method: UnitMethod; data: Buffer } | undefined;
  if (!chosen) throw new Error(`no method could encode a unit (${only ? only.join(', ') : 'zstd'} failed)`);
  return { ...chosen, tried };
}

/** An ELF header for x86 or x86-64 at the start, or anywhere at a block boundary (several files in one unit). */
function holdsX86Code(bytes: Buffer): boolean {
  for (let at = 0; at + 20 <= bytes.length; at += 1024) {
    if (bytes.readUInt32BE(at) === 0x7f454c46) {
      const machine = bytes.readUInt16LE(at + 18);
      if (machine === 62 || machine === 3) return true;
    }
  }
  return false;
}

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: Buffer }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, LC_ALL: 'C' } });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', () => resolve({ code: null, stdout: Buffer.alloc(0) }));
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(chunks) }));
  });
}
