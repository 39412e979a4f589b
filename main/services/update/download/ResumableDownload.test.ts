import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DownloadError } from './DownloadError.js';
import { downloadOnce, type DownloadTarget } from './ResumableDownload.js';

/** What the test server does to the next request. */
interface Behaviour {
  dropAfter?: number;
  stallAfter?: number;
  ignoreRange?: boolean;
  corruptAt?: number;
  extraBytes?: number;
  status?: number;
  retryAfter?: string;
}

const CONTENT = randomBytes(3 * 1024 * 1024 + 123);
const SHA256 = createHash('sha256').update(CONTENT).digest('hex');
let server: Server;
let base: string;
let next: Behaviour[] = [];
let served = 0;
const ranges: (string | undefined)[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const behaviour = next.shift() ?? {};
    ranges.push(request.headers.range);
    if (behaviour.status) {
      response.writeHead(behaviour.status, behaviour.retryAfter ? { 'Retry-After': behaviour.retryAfter } : {});
      response.end('no');
      return;
    }
    const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = match && !behaviour.ignoreRange ? Number(match[1]) : 0;
    if (start >= CONTENT.length) {
      response.writeHead(416, { 'Content-Range': `bytes */${CONTENT.length}` });
      response.end();
      return;
    }
    let body = CONTENT.subarray(start);
    if (behaviour.corruptAt !== undefined) {
      body = Buffer.from(body);
      body[behaviour.corruptAt] = body[behaviour.corruptAt]! ^ 0xff;
    }
    if (behaviour.extraBytes) body = Buffer.concat([body, randomBytes(behaviour.extraBytes)]);
    response.writeHead(start > 0 ? 206 : 200, {
      'Content-Length': body.length,
      ...(start > 0 ? { 'Content-Range': `bytes ${start}-${CONTENT.length - 1}/${CONTENT.length}` } : {}),
    });
    const cut = behaviour.dropAfter ?? behaviour.stallAfter;
    if (cut === undefined) {
      served += body.length;
      response.end(body);
      return;
    }
    served += cut;
    response.write(body.subarray(0, cut), () => {
      // Drop: the socket dies mid-body. Stall: it stays open and silent.
      if (behaviour.dropAfter !== undefined) setTimeout(() => response.socket?.destroy(), 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const dirs: string[] = [];
afterEach(() => {
  next = [];
  served = 0;
  ranges.length = 0;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function target(): DownloadTarget {
  const dir = mkdtempSync(join(tmpdir(), 'download-'));
  dirs.push(dir);
  return { url: `${base}/bundle`, path: join(dir, 'bundle.raucb'), length: CONTENT.length, sha256: SHA256 };
}

async function expectCode(promise: Promise<unknown>, code: string, retryable: boolean): Promise<DownloadError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DownloadError);
  expect(error).toMatchObject({ code, retryable });
  return error as DownloadError;
}

describe('downloadOnce', () => {
  it('downloads, verifies and renames into place, leaving nothing behind', async () => {
    const t = target();
    await downloadOnce(t);
    expect(readFileSync(t.path).equals(CONTENT)).toBe(true);
    expect(existsSync(`${t.path}.part`) || existsSync(`${t.path}.part.json`)).toBe(false);
    // Already there and verified: no second request.
    await downloadOnce(t);
    expect(ranges).toHaveLength(1);
  });

  it('resumes after a dropped connection with a Range request, fetching the rest only', async () => {
    const t = target();
    const half = Math.floor(CONTENT.length / 2);
    next = [{ dropAfter: half }];
    await expectCode(downloadOnce(t, { checkpointBytes: 256 * 1024 }), 'DOWNLOAD_INTERRUPTED', true);
    // What reached the client before the drop (a reset may discard a little of what the server sent).
    const kept = statSync(`${t.path}.part`).size;
    expect(kept).toBeGreaterThan(0);
    served = 0;
    await downloadOnce(t, { checkpointBytes: 256 * 1024 });
    expect(readFileSync(t.path).equals(CONTENT)).toBe(true);
    expect(ranges[1]).toBe(`bytes=${kept}-`);
    expect(served).toBe(CONTENT.length - kept);
  });

  it('after a power cut, drops bytes the checkpoint does not vouch for and still ends correct', async () => {
    const t = target();
    const controller = new AbortController();
    await expectCode(
      downloadOnce(t, {
        checkpointBytes: 256 * 1024,
        signal: controller.signal,
        onProgress: (bytes) => bytes > CONTENT.length / 2 && controller.abort(),
      }),
      'DOWNLOAD_CANCELLED',
      true,
    );
    const checkpoint = JSON.parse(readFileSync(`${t.path}.part.json`, 'utf8')) as { bytes: number };
    expect(checkpoint.bytes).toBeGreaterThan(0);
    // What a cut leaves: bytes written after the last checkpoint that never reached the disk intact.
    appendFileSync(`${t.path}.part`, randomBytes(100_000));
    await downloadOnce(t);
    expect(readFileSync(t.path).equals(CONTENT)).toBe(true);
  });

  it('starts over when the server ignores the range, rather than appending the wrong bytes', async () => {
    const t = target();
    next = [{ dropAfter: 1024 * 1024 }, { ignoreRange: true }];
    await expectCode(downloadOnce(t, { checkpointBytes: 64 * 1024 }), 'DOWNLOAD_INTERRUPTED', true);
    await downloadOnce(t);
    expect(readFileSync(t.path).equals(CONTENT)).toBe(true);
  });

  it('gives up on a server that stalls', async () => {
    const t = target();
    next = [{ stallAfter: 100_000 }];
    await expectCode(downloadOnce(t, { stallTimeoutMs: 300 }), 'DOWNLOAD_STALLED', true);
    await downloadOnce(t);
    expect(readFileSync(t.path).equals(CONTENT)).toBe(true);
  });

  it('refuses corrupt bytes and removes them (nothing is installed from a bad download)', async () => {
    const t = target();
    next = [{ corruptAt: 12345 }];
    await expectCode(downloadOnce(t), 'DOWNLOAD_CORRUPT', false);
    expect(existsSync(t.path) || existsSync(`${t.path}.part`)).toBe(false);
  });

  it('refuses a body longer than the signed length', async () => {
    const t = target();
    next = [{ extraBytes: 10 }];
    await expectCode(downloadOnce(t), 'DOWNLOAD_TOO_LONG', false);
    expect(existsSync(t.path)).toBe(false);
  });

  it('retries 503 (honouring Retry-After) but not 404', async () => {
    const t = target();
    next = [{ status: 503, retryAfter: '7' }, { status: 404 }];
    expect((await expectCode(downloadOnce(t), 'DOWNLOAD_HTTP_STATUS', true)).retryAfterSeconds).toBe(7);
    await expectCode(downloadOnce(t), 'DOWNLOAD_HTTP_STATUS', false);
    expect(existsSync(t.path)).toBe(false);
  });

  it('reports a full disk as retryable and keeps what it has', async (context) => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'tinyfs-'));
    dirs.push(mountPoint);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    } catch {
      context.skip(); // needs root to mount a small file system; CI runs as root
      return;
    }
    try {
      mkdirSync(join(mountPoint, 'updates'));
      const t = { ...target(), path: join(mountPoint, 'updates', 'bundle.raucb') };
      await expectCode(downloadOnce(t, { checkpointBytes: 128 * 1024 }), 'DOWNLOAD_DISK_FULL', true);
      expect(existsSync(`${t.path}.part`)).toBe(true);
      expect(existsSync(t.path)).toBe(false);
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });
});
