import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { groupTagSchema } from '../../../src/fleet/inventory.js';
import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';

/** The fleet server this headset registers with, and the group tags it reports. */
export interface FleetConfig {
  serverUrl: string;
  groupTags: string[];
}

/** A --fleet-url or --fleet-tags that cannot be used: the message names it. */
export class FleetConfigError extends Error {}

const CONFIG_FILE = 'fleet-config.json';
const configSchema = z.object({ serverUrl: z.string(), groupTags: z.array(groupTagSchema).max(16) }).strict();

/** The server's address as remembered: http(s), no credentials, query or fragment, no trailing slash. */
export function checkFleetUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FleetConfigError(`--fleet-url must be an http:// or https:// address, not "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FleetConfigError(`--fleet-url must be http:// or https://, not ${url.protocol}`);
  // The headset signs its requests: a password in the address would be a bearer secret on its command line.
  if (url.username || url.password) throw new FleetConfigError('--fleet-url must not carry a user name or password');
  if (url.search || url.hash) throw new FleetConfigError('--fleet-url must not carry a query or a fragment');
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** `--fleet-tags site:berlin,beta`: at most 16 tags of lower-case letters, digits and . _ : - */
export function parseFleetTags(text: string): string[] {
  const tags = text
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  if (tags.length > 16) throw new FleetConfigError(`--fleet-tags takes at most 16 tags, not ${tags.length}`);
  for (const tag of tags) {
    if (!groupTagSchema.safeParse(tag).success)
      throw new FleetConfigError(`--fleet-tags: "${tag}" is not a group tag (lower-case letters, digits and . _ : -, at most 63)`);
  }
  return [...new Set(tags)];
}

/**
 * The fleet server to follow, as --update-url's repository is: given once (`--fleet-url`, and
 * `--fleet-tags`), remembered in the state folder (written temp, fsync, rename), forgotten with
 * `--fleet-url off`. Undefined: no server, the registration capability idles. An unreadable file is
 * reported as such and counts as no server: it must not stop the headset from starting.
 */
export async function openFleetConfig(options: { url?: string; tags?: string; stateDir: string }): Promise<FleetConfig | undefined> {
  const path = join(options.stateDir, CONFIG_FILE);
  if (options.url === 'off') {
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    return undefined;
  }
  // An address given again replaces a file that cannot be read (what the error tells the operator to do).
  const stored = await readStored(path).catch((error: unknown) => {
    if (error instanceof FleetConfigError && options.url !== undefined) return undefined;
    throw error;
  });
  const serverUrl = options.url !== undefined ? checkFleetUrl(options.url) : stored?.serverUrl;
  const groupTags = options.tags !== undefined ? parseFleetTags(options.tags) : (stored?.groupTags ?? []);
  if (serverUrl === undefined) return undefined;
  const config: FleetConfig = { serverUrl, groupTags };
  if (!stored || stored.serverUrl !== serverUrl || stored.groupTags.join(',') !== groupTags.join(','))
    await writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`);
  return config;
}

async function readStored(path: string): Promise<FleetConfig | undefined> {
  let raw: unknown;
  try {
    raw = await readJsonIfExists<unknown>(path);
  } catch (error) {
    throw new FleetConfigError(`${path} is not readable JSON (${(error as Error).message}); give --fleet-url again or remove it`);
  }
  if (raw === undefined) return undefined;
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new FleetConfigError(`${path} is not a fleet configuration; give --fleet-url again or remove it`);
  return { serverUrl: checkFleetUrl(parsed.data.serverUrl), groupTags: parsed.data.groupTags };
}
