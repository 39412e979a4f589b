import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../../src/api/errors.js';
import { applyApproximateDiff } from '../../../../src/update/approximateDiff.js';
import type { UnitMethod } from '../../../../src/update/fileDelta.js';

/** The tools a device decodes xz and VCDIFF units with (zstd units are decoded in process, zstd-napi). */
export interface UnitDecodeTools {
  xz: string;
  xdelta3: string;
}

/**
 * Decodes one unit of a file-aware delta into exactly `outputLength` bytes (no more is kept: a
 * tool that writes more is stopped). `reference` is the unit's reference bytes, read from the
 * checked source. `scratch` is a private folder for xdelta3's reference file (it needs a seekable
 * file). Failures are DELTA_TOOL_FAILED: the payload itself was verified before this runs.
 */
export async function decodeUnit(
  image: string,
  method: UnitMethod,
  data: Buffer,
  reference: Buffer | undefined,
  outputLength: number,
  scratch: string,
  tools: UnitDecodeTools,
): Promise<Buffer> {
  if (method === 'zstd' || method === 'zstd-ref') {
    const { Decompressor } = await import('zstd-napi');
    const decompressor = new Decompressor();
    // The window of a --patch-from frame covers reference and output: both bounded by MAX_UNIT_BYTES.
    decompressor.setParameters({ windowLogMax: 27 });
    if (reference) decompressor.loadDictionary(reference);
    try {
      return decompressor.decompress(data);
    } catch (error) {
      throw toolFailed(image, 'zstd-napi', (error as Error).message);
    }
  }
  if (method === 'xz' || method === 'xz-x86') return runDecoder(image, tools.xz, ['-d', '-c', '-q', '--single-stream'], data, outputLength);
  if (method === 'adiff-xz') {
    // The diff holds each output byte once plus a few per chunk (chunks of 256 bytes or more).
    const diff = await runDecoder(image, tools.xz, ['-d', '-c', '-q', '--single-stream'], data, outputLength + Math.ceil(outputLength / 16) + 1024);
    try {
      return Buffer.from(applyApproximateDiff(reference ?? new Uint8Array(0), diff, outputLength));
    } catch (error) {
      throw toolFailed(image, 'the approximate diff', (error as Error).message);
    }
  }
  const referencePath = join(scratch, 'unit.reference');
  await writeFile(referencePath, reference ?? Buffer.alloc(0), { mode: 0o600 });
  try {
    return await runDecoder(image, tools.xdelta3, ['-d', '-c', '-q', '-s', referencePath], data, outputLength);
  } finally {
    await rm(referencePath, { force: true });
  }
}

function runDecoder(image: string, tool: string, args: string[], input: Buffer, outputLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const output = Buffer.allocUnsafe(outputLength);
    let length = 0;
    let over = false;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (length + chunk.length > outputLength) {
        over = true;
        child.kill('SIGKILL');
        return;
      }
      chunk.copy(output, length);
      length += chunk.length;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < 4096) stderr += text;
    });
    child.stdin.on('error', () => undefined); // a tool that stopped early: its exit says why
    child.once('error', (error: NodeJS.ErrnoException) => reject(toolFailed(image, tool, `could not start (${error.code ?? error.message})`)));
    child.once('close', (code, signal) => {
      if (over) reject(toolFailed(image, tool, `wrote more than the unit's ${outputLength} bytes`));
      else if (code !== 0) reject(toolFailed(image, tool, signal ? `killed by ${signal}` : `exited with ${code}: ${stderr.trim().slice(0, 300)}`));
      else resolve(output.subarray(0, length));
    });
    child.stdin.end(input);
  });
}

function toolFailed(image: string, tool: string, how: string): AppError {
  return new AppError('DELTA_TOOL_FAILED', `Image "${image}": decoding a unit of the file-aware delta with ${tool} failed: ${how}.`, {
    image,
    operation: 'apply',
    tool,
  });
}
