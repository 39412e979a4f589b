import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';
import type { ApiClient } from '../src/api/client.js';
import { DIST, REPO_ROOT, expect, test } from './fixtures.js';

/**
 * A real update repository for the e2e tests, made with the operator tools as a vendor would
 * (`headsetctl keys generate`, `bundle create`, `repo init|add|publish`), served by a static HTTP
 * server on 127.0.0.1 that answers Range requests like nginx. A simulated headset follows it once
 * the repository's first root and the bundle key are in its trust folder.
 */

const HEADSETCTL = join(DIST, 'headsetctl.mjs');
/** The model the simulated headset reports (main/services/device/SimulatedFirmware.ts). */
export const SIMULATED_MODEL = 'HC-1-simulated';

export interface UpdateRepository {
  /** What the headset is given with --update-url. */
  url: string;
  version: string;
  /** The bundle file as served (its length is the download's total). */
  bundleBytes: number;
  /** Bytes of bundle and metadata sent so far. */
  served(): number;
  /** Every request so far: its path and Range header. */
  requests(): { path: string; range: string | undefined }[];
  /** Puts the repository's first root and the bundle key where a new simulated headset at `root` trusts them. */
  trustOn(root: string): Promise<void>;
  /** Builds a bundle of `version` (an image of `imageBytes`), adds it and publishes: the newest offer from then on. */
  addVersion(version: string, imageBytes: number): Promise<void>;
  /** Builds a bundle of `version` signed with the repository's bundle key, not published: what a USB stick carries. */
  signedBundle(version: string, imageBytes: number): Promise<string>;
  /** Withdraws `version` (`repo remove` + `publish`): devices may no longer go back to it. */
  removeVersion(version: string): Promise<void>;
  close(): Promise<void>;
}

const run = promisify(execFile);

async function headsetctl(...args: string[]): Promise<string> {
  try {
    return (await run(process.execPath, [HEADSETCTL, ...args], { cwd: REPO_ROOT })).stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`headsetctl ${args.slice(0, 2).join(' ')} failed: ${e.stderr || e.message}`);
  }
}

export async function createUpdateRepository(options: { version: string; imageBytes: number; notes: string }): Promise<UpdateRepository> {
  const work = await mkdtemp(join(tmpdir(), 'headset-e2e-repo-'));
  const keys = join(work, 'keys');
  await headsetctl('keys', 'generate', '--out', keys);
  // Random bytes do not compress: the bundle is about as large as the image, so a bandwidth
  // limit makes the download last.
  const image = join(work, 'rootfs.img');
  await writeFile(image, Buffer.concat([Buffer.from(`HEADSET-OS ${options.version}\n`), randomBytes(options.imageBytes)]));
  const notes = join(work, 'notes.txt');
  await writeFile(notes, options.notes);
  const bundle = join(work, `headset-${options.version}.hcb`);
  await headsetctl(
    'bundle',
    'create',
    '--version',
    options.version,
    '--compatible',
    SIMULATED_MODEL,
    '--image',
    `rootfs=${image}`,
    '--key',
    join(keys, 'bundle.key'),
    '--notes',
    notes,
    '--out',
    bundle,
  );
  const repo = join(work, 'repo');
  await headsetctl('repo', 'init', repo, '--keys', keys);
  await headsetctl('repo', 'add', repo, bundle);
  await headsetctl('repo', 'publish', repo);
  const served = join(repo, 'repository');

  let sent = 0;
  const log: { path: string; range: string | undefined }[] = [];
  const server: Server = createServer((request, response) => {
    log.push({ path: request.url ?? '/', range: request.headers.range });
    void serve(served, request.url ?? '/', request.headers.range, request.method === 'HEAD', response, (n) => (sent += n));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    version: options.version,
    bundleBytes: (await stat(bundle)).size,
    served: () => sent,
    requests: () => [...log],
    trustOn: async (root) => {
      const trust = join(root, 'persist', 'trust');
      await mkdir(trust, { recursive: true });
      await copyFile(join(served, '1.root.json'), join(trust, 'root.json'));
      await copyFile(join(keys, 'bundle.pub'), join(trust, 'bundle.pub'));
    },
    addVersion: async (version, imageBytes) => {
      const image = join(work, `rootfs-${version}.img`);
      await writeFile(image, Buffer.concat([Buffer.from(`HEADSET-OS ${version}\n`), randomBytes(imageBytes)]));
      const added = join(work, `headset-${version}.hcb`);
      await headsetctl(
        'bundle',
        'create',
        '--version',
        version,
        '--compatible',
        SIMULATED_MODEL,
        '--image',
        `rootfs=${image}`,
        '--key',
        join(keys, 'bundle.key'),
        '--out',
        added,
      );
      await headsetctl('repo', 'add', repo, added);
      await headsetctl('repo', 'publish', repo);
    },
    signedBundle: async (version, imageBytes) => {
      const image = join(work, `rootfs-usb-${version}.img`);
      await writeFile(image, Buffer.concat([Buffer.from(`HEADSET-OS ${version}\n`), randomBytes(imageBytes)]));
      const out = join(work, `usb-headset-${version}.hcb`);
      await headsetctl(
        'bundle',
        'create',
        '--version',
        version,
        '--compatible',
        SIMULATED_MODEL,
        '--image',
        `rootfs=${image}`,
        '--key',
        join(keys, 'bundle.key'),
        '--out',
        out,
      );
      return out;
    },
    removeVersion: async (version) => {
      await headsetctl('repo', 'remove', repo, `headset-${version}.hcb`);
      await headsetctl('repo', 'publish', repo);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** A static file server: 200 with the whole file, 206 for `bytes=START-[END]`, 416 past the end. */
async function serve(
  folder: string,
  rawUrl: string,
  range: string | undefined,
  head: boolean,
  response: ServerResponse,
  count: (n: number) => void,
): Promise<void> {
  const path = normalize(join(folder, decodeURIComponent(new URL(rawUrl, 'http://x').pathname)));
  if (!path.startsWith(folder + sep)) return void response.writeHead(403).end();
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    return void response.writeHead(404).end();
  }
  let start = 0;
  let end = size - 1;
  const match = range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
  if (range && match) {
    start = Number(match[1]);
    if (match[2]) end = Math.min(end, Number(match[2]));
    if (start >= size || start > end) return void response.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
  }
  const partial = !!match;
  response.writeHead(partial ? 206 : 200, {
    'Content-Length': end - start + 1,
    'Accept-Ranges': 'bytes',
    'Content-Type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    ...(partial ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (head) return void response.end();
  const file = await open(path);
  try {
    const stream = file.createReadStream({ start, end, autoClose: false });
    stream.on('data', (chunk) => count(chunk.length));
    await new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('error', () => resolve());
      response.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(response);
    });
  } finally {
    await file.close();
  }
}

export const UPDATE_NOTES = 'Security fixes for the network stack.\nSmoother hand tracking in low light.';

/**
 * The e2e fixtures plus `updateRepository`: one repository with a 1.1.0 bundle of about 6 MB per
 * worker (about 3 s at a 2 MB/s limit, 12 s at 512 KB/s), shared by the tests; each test makes its
 * own headset trust it with `trustOn(headsetRoot)` before its first start.
 */
export const updateTest = test.extend<object, { updateRepository: UpdateRepository }>({
  updateRepository: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const repository = await createUpdateRepository({ version: '1.1.0', imageBytes: 6_000_000, notes: UPDATE_NOTES });
      await use(repository);
      await repository.close();
    },
    { scope: 'worker' },
  ],
});

/** The simulated network the download sees: `online`, `metered` (a hotspot) or `offline`. */
export async function setNetwork(root: string, state: 'online' | 'metered' | 'offline'): Promise<void> {
  await mkdir(join(root, 'network'), { recursive: true });
  await writeFile(join(root, 'network', 'state'), `${state}\n`);
}

/** Through the API, quickly: check, download, install and restart into the update; resolves once it is committed. */
export async function installUpdateThroughApi(client: ApiClient, version: string): Promise<void> {
  const checked = await client.call('update.check');
  expect(checked.state).toMatchObject({ status: 'available', offer: { version } });
  await client.call('update.download');
  await expect.poll(async () => (await client.call('update.status')).state.status, { timeout: 15_000 }).toBe('downloaded');
  expect((await client.call('update.install')).state).toEqual({ status: 'ready-to-reboot', version });
  await client.call('update.restart');
  await expect.poll(async () => (await client.call('update.history'))[0]?.outcome, { timeout: 15_000 }).toBe('committed');
}
