import { readFile } from 'node:fs/promises';
import { supportRelaySchema, type SupportRelayOffer } from '../../src/fleet/supportApi.js';

/** Reads --support-relay FILE; throws with a message for whoever starts the server when it is not a relay. */
export async function loadSupportRelay(path: string): Promise<SupportRelayOffer> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`--support-relay ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not a JSON file'}.`);
  }
  const parsed = supportRelaySchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`--support-relay ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')}.`);
  return parsed.data;
}
