import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileIfExists, readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import { UpdateCatalog } from './UpdateCatalog.js';

/**
 * The update repository this headset follows: its address (given once with --update-url and
 * remembered) and the first TUF root it trusts (shipped in the trust folder). Missing either, the
 * headset has no updates and says so.
 */
export async function openUpdateCatalog(options: { url?: string; stateDir: string; trustDir: string }): Promise<UpdateCatalog | undefined> {
  const configPath = join(options.stateDir, 'update-config.json');
  if (options.url) await writeFileAtomic(configPath, JSON.stringify({ repositoryUrl: options.url.replace(/\/+$/, '') }));
  const url = (await readJsonIfExists<{ repositoryUrl: string }>(configPath))?.repositoryUrl;
  const shippedRoot = join(options.trustDir, 'root.json');
  if (!url || !(await readFileIfExists(shippedRoot))) return undefined;
  const metadataDir = join(options.stateDir, 'tuf');
  await mkdir(metadataDir, { recursive: true });
  // tuf-js keeps the newest verified root here; the shipped one only seeds it.
  if (!(await readFileIfExists(join(metadataDir, 'root.json')))) await copyFile(shippedRoot, join(metadataDir, 'root.json'));
  return new UpdateCatalog(url, metadataDir);
}
