import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { Updater } from 'tuf-js';
import { BundleReader } from '../../main/services/update/BundleReader.js';
import { loadSigningKey, type SigningKey } from '../../main/operator/keys/signingKeys.js';
import { TufRepository, type RoleKeys } from '../../main/operator/tuf/TufRepository.js';
import { toHex } from '../../src/update/hex.js';
import { targetCustomFromManifest } from '../../src/update/manifest.js';
import { TOP_LEVEL_ROLES } from '../../src/update/tuf/metadata.js';
import type { BenchResult } from '../harness.js';
import { startCountingServer } from './countingServer.js';

/**
 * An up-to-date check: a TUF repository (TufRepository, two published releases: 1.0.0, then
 * 1.0.1 with a delta from 1.0.0) behind a counting static server; a device that already holds the
 * current metadata runs a tuf-js Updater refresh() (configured as the device's update catalog
 * does). Counted: every byte of the responses to that refresh, status lines and headers included.
 */
export async function benchUpToDateCheck(work: string, keysDir: string, releases: string[][]): Promise<BenchResult[]> {
  const loaded: SigningKey[] = [];
  const repo = new TufRepository(join(work, 'tuf'));
  const server = await startCountingServer((path) => {
    const file = normalize(join(repo.served, path));
    if (!file.startsWith(repo.served + sep)) return undefined;
    try {
      return readFileSync(file);
    } catch {
      return undefined;
    }
  });
  try {
    const roleKeys = {} as RoleKeys;
    for (const role of TOP_LEVEL_ROLES) {
      const key = await loadSigningKey(join(keysDir, `${role}.key`));
      loaded.push(key);
      const publicKeyHex = toHex(key.publicKey);
      roleKeys[role] = [{ publicKeyHex, signer: { keyid: TufRepository.keyId(publicKeyHex), sign: (message) => key.sign(message) } }];
    }
    await repo.init(roleKeys);
    for (const bundles of releases) {
      for (const bundle of bundles) await repo.add(bundle, { ...targetCustomFromManifest((await BundleReader.inspect(bundle)).manifest) });
      await repo.publish(roleKeys);
    }

    const metadataDir = join(work, 'device-metadata');
    mkdirSync(metadataDir);
    copyFileSync(join(repo.served, '1.root.json'), join(metadataDir, 'root.json'));
    const check = () =>
      new Updater({
        metadataDir,
        metadataBaseUrl: server.base,
        targetBaseUrl: `${server.base}/targets`,
        config: { fetchRetries: 0, fetchTimeout: 20_000 },
      }).refresh();
    await check(); // the device catches up with the repository
    await server.idle();
    const sentBefore = server.bytesSent();
    const receivedBefore = server.bytesReceived();
    const requestsBefore = server.requests.length;
    await check(); // nothing changed since
    await server.idle();
    const sent = server.bytesSent() - sentBefore;
    const requests = server.requests.slice(requestsBefore);
    const bodies = requests.reduce((sum, r) => sum + r.bodyBytes, 0);
    return [
      {
        name: 'Bytes on the wire for an up-to-date check (tuf-js refresh with current metadata)',
        metric: 'response bytes (headers + bodies)',
        value: sent,
        unit: 'B',
        goal: '≤ 2 KiB (2048 B)',
        met: sent <= 2048,
        details: {
          requests: requests.map((r) => `${r.url} ${r.status} ${r.bodyBytes} B`).join('; '),
          bodyBytes: bodies,
          headerBytes: sent - bodies,
          requestBytes: server.bytesReceived() - receivedBefore,
        },
      },
    ];
  } finally {
    loaded.forEach((key) => key.dispose());
    await server.close();
  }
}
