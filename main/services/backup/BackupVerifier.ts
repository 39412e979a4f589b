import { randomBytes } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Verification } from '../../../src/api/contract/backup.js';
import type { Passphrase } from './Passphrase.js';
import type { ResticNode, ResticRepository } from './ResticRepository.js';
import { ensureDirectory } from '../storage/atomicFile.js';

/** How much of the repository a verification reads (see docs/backup.md, "Verification"). */
export type ReadDataPlan = { kind: 'all' } | { kind: 'subset'; part: number; of: number };

export interface VerifyRequest {
  repository: ResticRepository;
  passphrase: Passphrase;
  snapshotId: string;
  plan: ReadDataPlan;
  /** The data partition: sampled files are compared with their copies here. */
  sourceDir: string;
  /** A folder on the data partition for the sample restore (user data never goes to /tmp, which is not encrypted). */
  stagingDir: string;
  /** Files changed after this time are sampled first: their data is what the backup just wrote. */
  changedSince?: string;
  how: Verification['how'];
  onPhase?: (phase: 'checking' | 'sample-restore', fraction: number) => void;
  signal?: AbortSignal;
}

export const SAMPLE_FILES = 12;
export const SAMPLE_BYTES = 32 * 1024 * 1024;
/** Reported at most (a damaged pack in a big repository can hit thousands). */
const DAMAGED_FILES_REPORTED = 50;
// restic's --include takes patterns: a name with a pattern character would match others, so it is not sampled.
const PATTERN_CHARACTERS = /[*?[\]\\]/;

/**
 * Verifies a backup two ways: `restic check` (the repository's structure, and the plan's share of
 * its packs read back, decrypted and hashed), then a sample of the snapshot's files restored and
 * compared byte for byte with the headset's (only files unchanged since the backup: same size and
 * modification time). A damaged pack is traced to the files whose data it holds.
 */
export class BackupVerifier {
  async verify(request: VerifyRequest): Promise<Verification> {
    const at = new Date().toISOString();
    request.onPhase?.('checking', 0);
    const readData = request.plan.kind === 'all' ? 'all' : `${request.plan.part}/${request.plan.of}`;
    const check = await request.repository.check(request.passphrase, readData, request.signal);
    const base = { at, how: request.how, readData: request.plan.kind, sampleFiles: 0 } as const;
    if (!check.ok) {
      const hit = await request.repository.filesInPacks(request.passphrase, check.damagedPacks, request.signal).catch(() => []);
      const files = [...new Set(hit.map((entry) => entry.path))].slice(0, DAMAGED_FILES_REPORTED);
      return { ...base, result: 'damaged', damagedFiles: files.length > 0 ? files : check.damagedPacks.map((pack) => `pack ${pack}`) };
    }
    request.onPhase?.('sample-restore', 0);
    const nodes = await request.repository.ls(request.passphrase, request.snapshotId, request.signal);
    const sample = await chooseSample(nodes, request.sourceDir, request.changedSince);
    if (sample.length === 0) return { ...base, result: 'ok', damagedFiles: [] };
    const target = join(request.stagingDir, `sample-${randomBytes(6).toString('hex')}`);
    await ensureDirectory(target);
    try {
      await request.repository.restore(
        request.passphrase,
        request.snapshotId,
        target,
        sample.map((node) => node.path),
        request.signal,
      );
      const differing: string[] = [];
      for (const [index, node] of sample.entries()) {
        if (!(await sameBytes(join(target, node.path), join(request.sourceDir, node.path)))) differing.push(node.path);
        request.onPhase?.('sample-restore', (index + 1) / sample.length);
      }
      return { ...base, result: differing.length === 0 ? 'ok' : 'mismatch', sampleFiles: sample.length, damagedFiles: differing };
    } finally {
      await rm(target, { recursive: true, force: true });
    }
  }
}

/** The plan for a verification right after a backup: all of a small repository, else one part of `of` in turn. */
export function planAfterBackup(
  repositoryBytes: number | undefined,
  rotation: number,
  options = { fullReadLimit: 256 * 1024 * 1024, parts: 8 },
): ReadDataPlan {
  if (repositoryBytes !== undefined && repositoryBytes <= options.fullReadLimit) return { kind: 'all' };
  return { kind: 'subset', part: (rotation % options.parts) + 1, of: options.parts };
}

async function chooseSample(nodes: readonly ResticNode[], sourceDir: string, changedSince?: string): Promise<ResticNode[]> {
  const since = changedSince ? Date.parse(changedSince) : Number.NEGATIVE_INFINITY;
  const files = nodes.filter((node) => node.type === 'file' && node.size <= SAMPLE_BYTES && !PATTERN_CHARACTERS.test(node.path));
  // New data first (what this backup wrote), then the rest in a random order.
  const changed = files.filter((node) => Date.parse(node.mtime) > since);
  const others = files.filter((node) => !(Date.parse(node.mtime) > since));
  shuffle(changed);
  shuffle(others);
  const chosen: ResticNode[] = [];
  let bytes = 0;
  for (const node of [...changed, ...others]) {
    if (chosen.length >= SAMPLE_FILES) break;
    if (bytes + node.size > SAMPLE_BYTES) continue;
    const info = await stat(join(sourceDir, node.path)).catch(() => undefined);
    // Changed on the headset since the backup: comparing would report a difference that is not damage.
    if (!info?.isFile() || info.size !== node.size || Math.floor(info.mtimeMs) !== Date.parse(node.mtime)) continue;
    chosen.push(node);
    bytes += node.size;
  }
  return chosen;
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomBytes(4).readUInt32LE(0) % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/** Compares two files chunk by chunk (a differing length is a difference). */
async function sameBytes(a: string, b: string): Promise<boolean> {
  const [fa, fb] = await Promise.all([open(a, 'r').catch(() => undefined), open(b, 'r').catch(() => undefined)]);
  try {
    if (!fa || !fb) return false;
    const size = 1024 * 1024;
    const ba = Buffer.alloc(size);
    const bb = Buffer.alloc(size);
    for (;;) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, size, null), fb.read(bb, 0, size, null)]);
      if (ra.bytesRead !== rb.bytesRead) return false;
      if (ra.bytesRead === 0) return true;
      if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
    }
  } finally {
    await fa?.close();
    await fb?.close();
  }
}
