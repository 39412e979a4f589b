import { readFile } from 'node:fs/promises';
import type { CloudBackupEndpoint } from './ports.js';

/**
 * The cloud backup's REST repository URL, from a small JSON file in the backup's folder
 * (`{"url": "rest:http://host:port/name"}`, written by `headsetctl device backup-cloud` or by hand).
 * The fleet server will hand the URL out later through the same CloudBackupEndpoint port.
 * No file, or no usable URL: no cloud destination.
 */
export class CloudEndpointFile implements CloudBackupEndpoint {
  constructor(private readonly path: string) {}

  async repositoryUrl(): Promise<string | undefined> {
    const text = await readFile(this.path, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      const url = (JSON.parse(text) as { url?: unknown }).url;
      // Credentials in the URL would reach restic's command line: refused, they belong to the server's TLS and network.
      return typeof url === 'string' && /^rest:https?:\/\/[^@\s]+$/.test(url) ? url : undefined;
    } catch {
      return undefined;
    }
  }
}
