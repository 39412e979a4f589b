import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { ApiClient } from '../../src/api/client.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { toHex } from '../../src/update/hex.js';
import { targetCustomFromManifest, type Requirement } from '../../src/update/manifest.js';
import { TOP_LEVEL_ROLES } from '../../src/update/tuf/metadata.js';
import { SimulatedDeviceLayout } from '../../main/services/device/SimulatedDeviceLayout.js';
import { SIMULATED_MODEL } from '../../main/services/device/SimulatedFirmware.js';
import { createBundle } from '../../main/operator/bundles/BundleWriter.js';
import { generateKeys, loadSigningKey } from '../../main/operator/keys/signingKeys.js';
import { TufRepository, type RoleKeys } from '../../main/operator/tuf/TufRepository.js';
import { LOCAL_UI_SCOPES, createHeadset, type Headset, type HeadsetOptions } from '../../main/host/composition.js';

// Test support: a signed TUF repository served over HTTP (with Range, as nginx), bundles for the
// simulated model published into it, and simulated headsets that trust it. Used by the tests of
// the boot, component and service parts of updates.

export interface TestBundle {
  version: string;
  requires?: Requirement[];
  /** Units the bundle's manifest says it touches (stopped before the slot is written, started after). */
  services?: string[];
  /** Carries a boot image (kernel, initramfs, device tree) for the shared boot partition (U-Boot boards). */
  bootImage?: boolean;
  notes?: string;
  /** Random bytes after the rootfs image's header (default 200 000). */
  imageBytes?: number;
}

export class UpdateTestRepository {
  readonly work = mkdtempSync(join(tmpdir(), 'update-repo-'));
  url = '';
  /** Bytes the server has sent so far (a resumed download sends less than the whole bundle). */
  served = 0;
  private server: Server | undefined;
  private repo: TufRepository | undefined;
  private roleKeys: RoleKeys | undefined;
  private readonly running: Headset[] = [];

  async open(bundles: TestBundle[]): Promise<void> {
    const keysDir = join(this.work, 'keys');
    await generateKeys(keysDir);
    this.roleKeys = Object.fromEntries(
      await Promise.all(
        TOP_LEVEL_ROLES.map(async (role) => {
          const key = await loadSigningKey(join(keysDir, `${role}.key`));
          return [role, [{ publicKeyHex: toHex(key.publicKey), signer: { keyid: key.keyId, sign: (m: Uint8Array) => key.sign(m) } }]];
        }),
      ),
    ) as RoleKeys;
    const repo = new TufRepository(join(this.work, 'repo'));
    this.repo = repo;
    await repo.init(this.roleKeys);
    for (const spec of bundles) await this.publish(spec, false);
    await repo.publish(this.roleKeys);
    this.server = createServer((request, response) => {
      let body: Buffer;
      try {
        body = readFileSync(normalize(join(repo.served, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname))));
      } catch {
        response.writeHead(404).end();
        return;
      }
      const start = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
      const part = body.subarray(start);
      this.served += part.length;
      response
        .writeHead(start > 0 ? 206 : 200, {
          'Content-Length': part.length,
          ...(start > 0 ? { 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
        })
        .end(part);
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Builds and signs a bundle of `spec.version` for the simulated model (and publishes it unless told not to). */
  async publish(spec: TestBundle, publish = true): Promise<string> {
    const image = Buffer.concat([Buffer.from(`HEADSET-OS ${spec.version}\n`), randomBytes(spec.imageBytes ?? 200_000)]);
    const imagePath = join(this.work, `rootfs-${spec.version}.img`);
    writeFileSync(imagePath, image);
    const bundle = join(this.work, `headset-${spec.version}.hcb`);
    const images: { name: string; slot?: 'boot'; path: string }[] = [{ name: 'rootfs', path: imagePath }];
    if (spec.bootImage) {
      const bootPath = join(this.work, `boot-${spec.version}.img`);
      writeFileSync(bootPath, randomBytes(50_000));
      images.push({ name: 'fit', slot: 'boot', path: bootPath });
    }
    const key = await loadSigningKey(join(this.work, 'keys', 'bundle.key'));
    const { manifest } = await createBundle({
      version: spec.version,
      compatible: SIMULATED_MODEL,
      requires: spec.requires,
      services: spec.services,
      images,
      key,
      out: bundle,
      notes: spec.notes,
    });
    await this.repo!.add(bundle, targetCustomFromManifest(manifest));
    if (publish) await this.repo!.publish(this.roleKeys!);
    return bundle;
  }

  /** Signs the repository's targets, snapshot and timestamp again as of `now` (a repository whose clock is ahead of the headset's). */
  async republish(now: Date): Promise<void> {
    await this.repo!.publish(this.roleKeys!, now);
  }

  /** A new simulated headset folder that trusts this repository's first root and the bundle key. */
  newDevice(): string {
    const root = mkdtempSync(join(this.work, 'device-'));
    const layout = new SimulatedDeviceLayout(root);
    mkdirSync(layout.trustDir, { recursive: true });
    copyFileSync(join(this.repo!.served, '1.root.json'), join(layout.trustDir, 'root.json'));
    copyFileSync(join(this.work, 'keys', 'bundle.pub'), join(layout.trustDir, 'bundle.pub'));
    return root;
  }

  async start(root: string, options: Partial<HeadsetOptions> = {}): Promise<{ headset: Headset; client: ApiClient }> {
    const headset = await createHeadset({
      device: 'simulated',
      root,
      build: { version: '1.0.0', commit: 'test', builtAt: '2026-01-01T00:00:00Z' },
      mode: 'settings',
      healthIntervalMs: 60_000,
      updateUrl: this.url,
      ...options,
    });
    this.running.push(headset);
    const [a, b] = createMemoryPortPair();
    headset.router.connect(b, { label: 'test', scopes: LOCAL_UI_SCOPES });
    return { headset, client: new ApiClient(a) };
  }

  /** Stops the headsets started so far (a power cut, as far as their folders are concerned). */
  async stopAll(): Promise<void> {
    await Promise.all(this.running.splice(0).map((headset) => headset.close()));
  }

  async close(): Promise<void> {
    await this.stopAll();
    await new Promise((resolve) => this.server?.close(resolve));
    rmSync(this.work, { recursive: true, force: true });
  }
}

/** check, download and install the newest update through the API, until it waits for its reboot (or fails). */
export async function downloadAndInstall(client: ApiClient): Promise<void> {
  await client.call('update.check');
  await client.call('update.download');
  for (let i = 0; i < 200; i++) {
    const status = (await client.call('update.status')).state.status;
    if (status === 'downloaded') break;
    if (status === 'failed') throw new Error('download failed');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await client.call('update.install');
}
