import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { toHex } from '../../src/update/hex.js';
import { TOP_LEVEL_ROLES } from '../../src/update/tuf/metadata.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { SIMULATED_MODEL } from '../services/device/SimulatedFirmware.js';
import { createBundle } from '../operator/bundles/BundleWriter.js';
import { generateKeys, loadSigningKey } from '../operator/keys/signingKeys.js';
import { TufRepository, type RoleKeys } from '../operator/tuf/TufRepository.js';
import { useFileSync } from '../services/storage/fileSync.js';
import { LOCAL_UI_SCOPES, createHeadset, type Headset } from './composition.js';
import { cutAfterJournalWrite, expectWearerFiles, KEPT, readInstallJournal, writeWearerFiles } from '../../test-support/host/powerCutRig.js';
import { UpdateTestRepository, downloadAndInstall } from '../../test-support/host/updateTestRepository.js';

// Going back further than the other slot: three updates in a row, then back to the first of them
// from the kept bundles, and a revoked version refused.

let work: string;
let repo: TufRepository;
let roleKeys: RoleKeys;
let server: Server;
let url: string;

async function publish(version: string): Promise<void> {
  const image = join(work, `rootfs-${version}.img`);
  writeFileSync(image, Buffer.concat([Buffer.from(`HEADSET-OS ${version}\n`), randomBytes(100_000)]));
  const bundle = join(work, `headset-${version}.hcb`);
  await createBundle({
    version,
    compatible: SIMULATED_MODEL,
    images: [{ name: 'rootfs', path: image }],
    key: await loadSigningKey(join(work, 'keys', 'bundle.key')),
    out: bundle,
  });
  await repo.add(bundle, { version, compatible: SIMULATED_MODEL, kind: 'full', images: [{ name: 'rootfs', slot: 'rootfs', size: 100_000 }] });
  await repo.publish(roleKeys);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'multi-rollback-'));
  await generateKeys(join(work, 'keys'));
  roleKeys = Object.fromEntries(
    await Promise.all(
      TOP_LEVEL_ROLES.map(async (role) => {
        const key = await loadSigningKey(join(work, 'keys', `${role}.key`));
        return [role, [{ publicKeyHex: toHex(key.publicKey), signer: { keyid: key.keyId, sign: (m: Uint8Array) => key.sign(m) } }]];
      }),
    ),
  ) as RoleKeys;
  repo = new TufRepository(join(work, 'repo'));
  await repo.init(roleKeys);
  server = createServer((request, response) => {
    try {
      const body = readFileSync(normalize(join(repo.served, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname))));
      response.writeHead(200, { 'Content-Length': body.length }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

describe('going back more than one version', () => {
  it('reinstalls a kept older bundle the repository still lists, and refuses a damaged or revoked one', async () => {
    const root = mkdtempSync(join(work, 'device-'));
    const layout = new SimulatedDeviceLayout(root);
    mkdirSync(layout.trustDir, { recursive: true });
    copyFileSync(join(repo.served, '1.root.json'), join(layout.trustDir, 'root.json'));
    copyFileSync(join(work, 'keys', 'bundle.pub'), join(layout.trustDir, 'bundle.pub'));
    const headset: Headset = await createHeadset({
      device: 'simulated',
      root,
      build: { version: '1.0.0', commit: 't', builtAt: '' },
      mode: 'settings',
      healthIntervalMs: 60_000,
      updateUrl: url,
    });
    try {
      const [a, b] = createMemoryPortPair();
      headset.router.connect(b, { label: 'test', scopes: LOCAL_UI_SCOPES });
      const client = new ApiClient(a);
      const updateTo = async (version: string) => {
        await publish(version);
        await client.call('update.check');
        await client.call('update.download');
        await expect.poll(async () => (await client.call('update.status')).state.status, { timeout: 10_000 }).toBe('downloaded');
        await client.call('update.install');
        await client.call('update.restart');
        await committed(version);
      };
      // The boot is over once its trial is committed and recorded (the API answers during it).
      const committed = (version: string) =>
        expect.poll(async () => (await client.call('update.history'))[0], { timeout: 10_000 }).toMatchObject({ outcome: 'committed', version });
      // The wearer's files while each version runs: each update sets aside the data of the one before.
      writeWearerFiles(root, '1.0.0', KEPT.versions);
      await updateTo('1.1.0'); // B
      writeWearerFiles(root, '1.1.0', KEPT.versions);
      await updateTo('1.2.0'); // A
      writeWearerFiles(root, '1.2.0', KEPT.versions);
      await updateTo('1.3.0'); // B
      writeWearerFiles(root, '1.3.0', KEPT.versions);
      const status = await client.call('update.status');
      expect(status.current).toEqual({ slot: 'B', version: '1.3.0' });
      expect(status.rollbackTo).toEqual({ slot: 'A', version: '1.2.0' });
      expect(status.keptVersions).toEqual(['1.2.0', '1.1.0']);

      await expect(client.call('update.rollback', { version: '0.9.0' })).rejects.toMatchObject({ code: 'UPDATE_NOTHING_TO_DO' });
      // 1.1.0 is kept and still listed: it is reinstalled into slot A and tried like any install.
      const seen: string[] = [];
      const unsubscribe = client.subscribe('update.changed', (s) =>
        seen.push(s.state.status === 'installing' ? `installing ${s.state.offer.version} ${s.state.bytes}/${s.state.total}` : s.state.status),
      );
      await client.call('update.rollback', { version: '1.1.0' });
      await committed('1.1.0');
      unsubscribe();
      // The screen can show the reinstall like an install: progress by bytes, then the restart.
      expect(seen).toContain('installing 1.1.0 0/0');
      expect(seen.some((s) => /^installing 1\.1\.0 (\d+)\/\1$/.test(s) && s !== 'installing 1.1.0 0/0')).toBe(true);
      expect(seen.indexOf('ready-to-reboot')).toBeGreaterThan(seen.indexOf('installing 1.1.0 0/0'));
      expect((await client.call('update.status')).current).toEqual({ slot: 'A', version: '1.1.0' });
      expect((await client.call('update.history')).map((h) => h.outcome).slice(0, 2)).toEqual(['committed', 'manual-rollback']);
      // 1.1.0 runs on the files it last ran with; the going back is told once.
      expectWearerFiles(root, '1.1.0', KEPT.versions, 'back at 1.1.0');
      expect((await client.call('update.history')).filter((h) => h.outcome === 'manual-rollback')).toMatchObject([
        { fromVersion: '1.3.0', version: '1.1.0', slot: 'A' },
      ]);
      expect((await client.call('update.status')).keptVersions).toEqual(['1.3.0', '1.2.0']);

      // A damaged kept copy of 1.2.0: refused with its code, shown as a failed install; 1.1.0 still runs.
      const keptCopy = join(layout.stateDir, 'kept-bundles', '1.2.0.hcb');
      const bytes = readFileSync(keptCopy);
      bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
      writeFileSync(keptCopy, bytes);
      const damaged = await client.call('update.rollback', { version: '1.2.0' }).then(
        () => undefined,
        (e: { code: string }) => e.code,
      );
      expect(damaged).toMatch(/^BUNDLE_/);
      expect((await client.call('update.status')).state).toMatchObject({ status: 'failed', error: { code: damaged } });
      expect((await client.call('update.status')).current).toEqual({ slot: 'A', version: '1.1.0' });

      // The vendor withdraws 1.2.0 (not in the other slot, which holds 1.3.0): no going back to it.
      await repo.remove('headset-1.2.0.hcb');
      await repo.publish(roleKeys);
      await expect(client.call('update.rollback', { version: '1.2.0' })).rejects.toMatchObject({ code: 'UPDATE_ROLLBACK_NOT_ALLOWED' });
      expect((await client.call('update.status')).current).toEqual({ slot: 'A', version: '1.1.0' });
    } finally {
      await headset.close();
    }
  }, 60_000);
});

describe('going back to a kept version, the power cut once its reinstall journalled "await-reboot"', () => {
  const repository = new UpdateTestRepository();
  beforeAll(() => repository.open([]));
  afterAll(() => repository.close());

  it('the next start tries the kept version on the data it last ran with, commits it, and tells of the going back once', async () => {
    const root = repository.newDevice();
    const { client } = await repository.start(root);
    const committed = (on: ApiClient, version: string) =>
      expect.poll(async () => (await on.call('update.history'))[0], { timeout: 10_000 }).toMatchObject({ outcome: 'committed', version });
    let running = '1.0.0';
    for (const version of ['1.1.0', '1.2.0', '1.3.0']) {
      writeWearerFiles(root, running, KEPT.versions);
      await repository.publish({ version, imageBytes: 50_000 });
      await downloadAndInstall(client);
      await client.call('update.restart');
      await committed(client, version);
      running = version;
    }
    writeWearerFiles(root, '1.3.0', KEPT.versions);

    // The reinstall of 1.1.0 is written and switched to; the power goes once that is journalled.
    const cut = cutAfterJournalWrite('await-reboot');
    const restore = useFileSync(cut.sync);
    try {
      await expect(client.call('update.rollback', { version: '1.1.0' })).rejects.toBeDefined();
      expect(cut.fired()).toBe(true);
      // The process dies with the power.
      await repository.stopAll();
    } finally {
      restore();
    }
    expect(readInstallJournal(root)).toMatchObject({ version: '1.1.0', state: { step: 'await-reboot' } });

    const again = await repository.start(root);
    await committed(again.client, '1.1.0');
    expect((await again.client.call('update.status')).current).toEqual({ slot: 'A', version: '1.1.0' });
    expectWearerFiles(root, '1.1.0', KEPT.versions, 'after the cut');
    const history = await again.client.call('update.history');
    expect(history.filter((h) => h.outcome === 'manual-rollback')).toMatchObject([{ fromVersion: '1.3.0', version: '1.1.0', slot: 'A' }]);
    expect(history.map((h) => h.outcome).slice(0, 2)).toEqual(['committed', 'manual-rollback']);
  }, 60_000);
});
