import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrustedKey } from '../../../src/update/verify.js';
import { loadTrustedKey } from './signingKeys.js';

/** The bundle-signing public keys the device trusts: every `*.pub` in its trust folder. */
export async function loadTrustFolder(dir: string): Promise<TrustedKey[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(files.filter((f) => f.endsWith('.pub')).sort().map((f) => loadTrustedKey(join(dir, f))));
}
