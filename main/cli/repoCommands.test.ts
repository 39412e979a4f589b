import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHeadsetctl } from './cli.js';

// headsetctl repo and bundle delta, run in process; what `repo publish` writes is checked by tuf-js,
// the independent TUF client the device uses.

const root = mkdtempSync(join(tmpdir(), 'hc-repo-cli-'));
const path = (...parts: string[]) => join(root, ...parts);
let server: Server;
let base = '';
let served = '';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runHeadsetctl(argv, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) });
  return { code, stdout, stderr };
}

async function ok(...argv: string[]): Promise<string> {
  const result = await run(...argv);
  expect(result.stderr, argv.join(' ')).toBe('');
  expect(result.code, argv.join(' ')).toBe(0);
  return result.stdout;
}

async function fails(code: string, ...argv: string[]): Promise<void> {
  const result = await run(...argv);
  expect(result.code, argv.join(' ')).toBe(1);
  expect(result.stderr, argv.join(' ')).toMatch(new RegExp(`^${code}: `));
}

/**
 * A device: it trusts the root it was shipped with and keeps what it verified since in its metadata
 * folder. Each check is a new tuf-js Updater on that folder (an Updater refreshes once).
 */
function device(trustedRoot: string): () => Updater {
  const metadataDir = mkdtempSync(path('device-'));
  copyFileSync(trustedRoot, join(metadataDir, 'root.json'));
  mkdirSync(join(metadataDir, 'downloads'));
  return () =>
    new Updater({
      metadataDir,
      metadataBaseUrl: base,
      targetBaseUrl: `${base}/targets`,
      targetDir: join(metadataDir, 'downloads'),
      config: { fetchRetries: 0 },
    });
}

beforeAll(async () => {
  // Any static web server will do.
  server = createServer((request, response) => {
    const file = normalize(join(served, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)));
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  await ok('keys', 'generate', '--out', path('keys'));
  await ok('keys', 'generate', '--out', path('keys2'));
  const rootfs = Buffer.concat([randomBytes(400_000), Buffer.from('/usr/lib/headset/tracking.so '.repeat(30_000))]);
  writeFileSync(path('rootfs-1.img'), rootfs);
  const changed = Buffer.from(rootfs);
  changed.write('patched', 100_000);
  writeFileSync(path('rootfs-2.img'), Buffer.concat([changed, randomBytes(3000)]));
  writeFileSync(path('boot-1.img'), 'vmlinuz 6.1.0 '.repeat(5000));
  writeFileSync(path('boot-2.img'), 'vmlinuz 6.1.1 '.repeat(5000));
  writeFileSync(path('notes.md'), 'Security fixes.\n');
  const create = (version: string, n: number, ...extra: string[]) =>
    ok(
      'bundle',
      'create',
      '--version',
      version,
      '--compatible',
      'hs-1',
      '--image',
      `rootfs=${path(`rootfs-${n}.img`)}`,
      '--image',
      `kernel:boot=${path(`boot-${n}.img`)}`,
      '--key',
      path('keys', 'bundle.key'),
      '--out',
      path(`headset-${version}.hcb`),
      ...extra,
    );
  await create('1.0.0', 1);
  await create('1.1.0', 2, '--min-version', '1.0.0', '--requires', 'bootloader >=2.0.0', '--notes', path('notes.md'));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

describe('headsetctl bundle delta', () => {
  it('writes a signed delta bundle of NEW against OLD, much smaller than NEW', async () => {
    const out = await ok(
      'bundle',
      'delta',
      '--from',
      path('headset-1.0.0.hcb'),
      '--to',
      path('headset-1.1.0.hcb'),
      '--key',
      path('keys', 'bundle.key'),
      '--out',
      path('headset-1.0.0-1.1.0.delta.hcb'),
    );
    expect(out).toContain('delta 1.0.0 -> 1.1.0 for hs-1');
    const verified = await ok('bundle', 'verify', path('headset-1.0.0-1.1.0.delta.hcb'), '--trust', path('keys', 'bundle.pub'), '--deep');
    expect(verified).toMatch(/^OK: .*delta 1\.0\.0 -> 1\.1\.0/);
    const inspected = JSON.parse(await ok('bundle', 'inspect', path('headset-1.0.0-1.1.0.delta.hcb'), '--json')) as {
      length: number;
      manifest: { kind: string; notes: string; minVersion: string; images: { name: string; delta: { fromVersion: string; sourceLength: number } }[] };
    };
    expect(inspected.manifest).toMatchObject({ kind: 'delta', notes: 'Security fixes.\n', minVersion: '1.0.0' });
    expect(inspected.manifest.images.map((i) => [i.name, i.delta.fromVersion, i.delta.sourceLength])).toEqual([
      ['rootfs', '1.0.0', readFileSync(path('rootfs-1.img')).length],
      ['kernel', '1.0.0', 70_000],
    ]);
    expect(inspected.length).toBeLessThan(readFileSync(path('headset-1.1.0.hcb')).length / 10);
    expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual([]); // temporary files removed
  });

  it('--method file refuses images that are not ext4; a --method other than auto, file or image is a usage error', async () => {
    const args = (method: string) => [
      'bundle',
      'delta',
      '--from',
      path('headset-1.0.0.hcb'),
      '--to',
      path('headset-1.1.0.hcb'),
      '--key',
      path('keys', 'bundle.key'),
      '--out',
      path('refused.hcb'),
      '--method',
      method,
    ];
    await fails('INVALID_INPUT', ...args('file'));
    const unknown = await run(...args('bsdiff'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--method is auto, file or image');
    expect(existsSync(path('refused.hcb'))).toBe(false);
  });

  it('refuses a delta of a delta, of bundles for other models, and of bundles it cannot verify', async () => {
    const delta = path('headset-1.0.0-1.1.0.delta.hcb');
    const args = (from: string, to: string, key = 'keys') => [
      'bundle',
      'delta',
      '--from',
      from,
      '--to',
      to,
      '--key',
      path(key, 'bundle.key'),
      '--out',
      path('refused.hcb'),
    ];
    await fails('INVALID_INPUT', ...args(delta, path('headset-1.1.0.hcb')));
    await ok(
      'bundle',
      'create',
      '--version',
      '1.1.0',
      '--compatible',
      'hs-2',
      '--image',
      `rootfs=${path('rootfs-2.img')}`,
      '--image',
      `kernel:boot=${path('boot-2.img')}`,
      '--key',
      path('keys', 'bundle.key'),
      '--out',
      path('other-model.hcb'),
    );
    await fails('INVALID_INPUT', ...args(path('headset-1.0.0.hcb'), path('other-model.hcb')));
    await fails('BUNDLE_UNTRUSTED_KEY', ...args(path('headset-1.0.0.hcb'), path('headset-1.1.0.hcb'), 'keys2'));
    expect((await run(...args(path('headset-1.0.0.hcb'), path('headset-1.1.0.hcb'), 'keys2'), '--trust', path('keys', 'bundle.pub'))).code).toBe(0);
    expect((await run('bundle', 'delta', '--from', delta)).code).toBe(2);
    expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});

describe('headsetctl repo', () => {
  const repo = path('repo');

  it('refuses add, publish, status and rotate-root before init (REPO_MISSING)', async () => {
    await fails('REPO_MISSING', 'repo', 'add', repo, path('headset-1.0.0.hcb'));
    await fails('REPO_MISSING', 'repo', 'publish', repo);
    await fails('REPO_MISSING', 'repo', 'status', repo);
    await fails('REPO_MISSING', 'repo', 'rotate-root', repo, '--new-keys', path('keys2'));
  });

  it("init, add, publish: tuf-js accepts the repository and sees each bundle's custom metadata", async () => {
    expect((await run('repo', 'init', repo, '--keys', path('keys'), '--expires-days', 'timestamp=2,bogus=1')).code).toBe(2);
    await ok('repo', 'init', repo, '--keys', path('keys'), '--expires-days', 'timestamp=2,targets=30');
    served = join(repo, 'repository');
    const config = JSON.parse(readFileSync(join(repo, 'repo.json'), 'utf8')) as { keysDir: string; expiryDays: Record<string, number> };
    expect(config).toMatchObject({ keysDir: path('keys'), expiryDays: { root: 365, targets: 30, snapshot: 7, timestamp: 2 } });
    expect(readFileSync(join(repo, 'repo.json'), 'utf8')).not.toMatch(/private|keyval/);
    await fails('REPO_EXISTS', 'repo', 'init', repo, '--keys', path('keys2'));

    expect(await ok('repo', 'add', repo, path('headset-1.1.0.hcb'))).toContain('Staged headset-1.1.0.hcb: version 1.1.0 for hs-1');
    await ok('repo', 'add', repo, path('headset-1.0.0-1.1.0.delta.hcb'));
    expect(await ok('repo', 'status', repo)).toMatch(/targets {6}0 published\n[\s\S]*staged {7}2 \(run repo publish\)/);
    expect(await ok('repo', 'publish', repo)).toContain('Published targets v2 (2 target(s), 2 newly added');

    const updater = device(join(served, '1.root.json'))();
    await updater.refresh();
    const fullTarget = await updater.getTargetInfo('headset-1.1.0.hcb');
    expect(fullTarget?.custom).toEqual({
      version: '1.1.0',
      compatible: 'hs-1',
      minVersion: '1.0.0',
      requires: [{ name: 'bootloader', range: '>=2.0.0' }],
      notes: 'Security fixes.\n',
      images: [
        { name: 'rootfs', slot: 'rootfs', size: readFileSync(path('rootfs-2.img')).length },
        { name: 'kernel', slot: 'boot', size: 70_000 },
      ],
      kind: 'full',
    });
    const deltaTarget = await updater.getTargetInfo('headset-1.0.0-1.1.0.delta.hcb');
    expect(deltaTarget?.custom).toMatchObject({ version: '1.1.0', kind: 'delta', deltaFrom: '1.0.0' });
    const downloaded = await updater.downloadTarget(deltaTarget!);
    expect(readFileSync(downloaded).equals(readFileSync(path('headset-1.0.0-1.1.0.delta.hcb')))).toBe(true);

    const status = JSON.parse(await ok('repo', 'status', repo, '--json')) as {
      roles: Record<string, { version: number; expired: boolean }>;
      targets: { name: string }[];
      staged: unknown[];
    };
    expect(Object.fromEntries(Object.entries(status.roles).map(([role, info]) => [role, [info.version, info.expired]]))).toEqual({
      root: [1, false],
      targets: [2, false],
      snapshot: [2, false],
      timestamp: [2, false],
    });
    expect(status.targets.map((t) => t.name).sort()).toEqual(['headset-1.0.0-1.1.0.delta.hcb', 'headset-1.1.0.hcb']);
    expect(status.staged).toEqual([]);

    // Withdrawing a bundle: after the next publish a device no longer sees it.
    await fails('INVALID_INPUT', 'repo', 'remove', repo, 'no-such-bundle.hcb');
    expect(await ok('repo', 'remove', repo, 'headset-1.0.0-1.1.0.delta.hcb')).toContain('Staged the withdrawal');
    await ok('repo', 'publish', repo);
    const later = device(join(served, '1.root.json'))();
    await later.refresh();
    expect(await later.getTargetInfo('headset-1.0.0-1.1.0.delta.hcb')).toBeUndefined();
    expect(await later.getTargetInfo('headset-1.1.0.hcb')).toBeDefined();
  });

  it('refuses to add a tampered, untrusted or malformed bundle, staging nothing', async () => {
    const good = readFileSync(path('headset-1.0.0.hcb'));
    const tampered = Buffer.from(good);
    tampered[good.length - 1000] = tampered[good.length - 1000]! ^ 0xff;
    writeFileSync(path('tampered.hcb'), tampered);
    await fails('BUNDLE_PAYLOAD_MISMATCH', 'repo', 'add', repo, path('tampered.hcb'));
    await ok(
      'bundle',
      'create',
      '--version',
      '1.0.0',
      '--compatible',
      'hs-1',
      '--image',
      `rootfs=${path('rootfs-1.img')}`,
      '--key',
      path('keys2', 'bundle.key'),
      '--out',
      path('other-key.hcb'),
    );
    await fails('BUNDLE_UNTRUSTED_KEY', 'repo', 'add', repo, path('other-key.hcb'));
    writeFileSync(path('garbage.hcb'), '#!/bin/sh\necho not a bundle\n');
    await fails('BUNDLE_MALFORMED', 'repo', 'add', repo, path('garbage.hcb'));
    writeFileSync(path('has space.hcb'), good);
    await fails('INVALID_INPUT', 'repo', 'add', repo, path('has space.hcb'));
    const status = JSON.parse(await ok('repo', 'status', repo, '--json')) as { staged: unknown[] };
    expect(status.staged).toEqual([]);
    expect(readdirSync(join(served, 'targets')).filter((name) => !name.endsWith('.hcb') || name.startsWith('.'))).toEqual([]);
    expect(readdirSync(repo).filter((name) => name.startsWith('.'))).toEqual([]); // no partial copy left
  });

  it('rotate-root: a device that trusts only the first root follows to the new keys', async () => {
    const oldRoot = join(served, '1.root.json');
    // A device that already saw version 2 of the metadata, and one that never did.
    const seasoned = device(oldRoot);
    await seasoned().refresh();
    const out = await ok('repo', 'rotate-root', repo, '--new-keys', path('keys2'));
    expect(out).toContain('Root v2 signed by the old and the new root keys');
    expect((JSON.parse(readFileSync(join(repo, 'repo.json'), 'utf8')) as { keysDir: string }).keysDir).toBe(path('keys2'));
    const rootV2 = JSON.parse(readFileSync(join(served, '2.root.json'), 'utf8')) as { signatures: unknown[] };
    expect(rootV2.signatures).toHaveLength(2);

    // Bundles are now checked with keys2/bundle.pub, and with another key only when told to.
    await fails('BUNDLE_UNTRUSTED_KEY', 'repo', 'add', repo, path('headset-1.0.0.hcb'));
    await ok('repo', 'add', repo, path('other-key.hcb'));
    await ok('repo', 'add', repo, path('headset-1.0.0.hcb'), '--trust', path('keys', 'bundle.pub'));
    expect(await ok('repo', 'publish', repo)).toContain('Published targets v5 (3 target(s), 2 newly added'); // the delta was withdrawn above
    for (const updater of [seasoned(), device(oldRoot)()]) {
      await updater.refresh();
      expect((await updater.getTargetInfo('headset-1.0.0.hcb'))?.custom).toMatchObject({ version: '1.0.0', kind: 'full' });
      expect((await updater.getTargetInfo('other-key.hcb'))?.custom).toMatchObject({ version: '1.0.0', images: [{ name: 'rootfs' }] });
      expect((await updater.getTargetInfo('headset-1.1.0.hcb'))?.custom).toMatchObject({ version: '1.1.0' });
    }
    // The old keys no longer sign anything a device accepts: publish refuses them up front.
    writeFileSync(join(repo, 'repo.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(repo, 'repo.json'), 'utf8')), keysDir: path('keys') }));
    await fails('KEY_INVALID', 'repo', 'publish', repo);
  });
});
