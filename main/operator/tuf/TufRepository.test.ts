import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import sodium from 'sodium-native';
import { Updater } from 'tuf-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/update/hex.js';
import { TOP_LEVEL_ROLES } from '../../../src/update/tuf/metadata.js';
import { TufRepository, type RoleKey, type RoleKeys } from './TufRepository.js';

// tuf-js is the independent client: whatever `TufRepository` writes must pass its checks, and
// every tampering must fail them.

function roleKey(): RoleKey {
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
  sodium.crypto_sign_keypair(publicKey, secretKey);
  const publicKeyHex = toHex(publicKey);
  return {
    publicKeyHex,
    signer: {
      keyid: TufRepository.keyId(publicKeyHex),
      sign: (message) => {
        const signature = Buffer.alloc(sodium.crypto_sign_BYTES);
        sodium.crypto_sign_detached(signature, Buffer.from(message), secretKey);
        return signature;
      },
    },
  };
}

function newKeys(): RoleKeys {
  return Object.fromEntries(TOP_LEVEL_ROLES.map((role) => [role, [roleKey()]])) as RoleKeys;
}

let server: Server;
let base = '';
let servedDir = '';
const requests: { url: string; bytes: number }[] = [];

beforeAll(async () => {
  // Any static web server will do: this one also counts what a client fetches.
  server = createServer((request, response) => {
    const file = normalize(join(servedDir, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)));
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      requests.push({ url: request.url ?? '', bytes: 0 });
      response.writeHead(404).end();
      return;
    }
    requests.push({ url: request.url ?? '', bytes: body.length });
    response.writeHead(200, { 'Content-Length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const dirs: string[] = [];
afterEach(() => {
  requests.length = 0;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function newRepository(now = new Date()): Promise<{ repo: TufRepository; keys: RoleKeys; bundle: string; work: string }> {
  const work = mkdtempSync(join(tmpdir(), 'tuf-'));
  dirs.push(work);
  const repo = new TufRepository(join(work, 'repo'));
  const keys = newKeys();
  await repo.init(keys, now);
  servedDir = repo.served;
  const bundle = join(work, 'headset-1.1.0.hcb');
  writeFileSync(bundle, Buffer.alloc(100_000, 7));
  return { repo, keys, bundle, work };
}

/** A device's client: it trusts the first root it was shipped with. */
function client(repo: TufRepository, work: string): Updater {
  const metadataDir = join(work, `client-${Math.random().toString(36).slice(2)}`);
  mkdirSync(metadataDir);
  copyFileSync(join(repo.served, '1.root.json'), join(metadataDir, 'root.json'));
  return new Updater({
    metadataDir,
    metadataBaseUrl: base,
    targetBaseUrl: `${base}/targets`,
    targetDir: join(work, 'downloads'),
    config: { fetchRetries: 0 },
  });
}

describe('TufRepository, checked by tuf-js', () => {
  it('publishes targets that tuf-js verifies and downloads', async () => {
    const { repo, keys, bundle, work } = await newRepository();
    await repo.add(bundle, { version: '1.1.0', compatible: 'HC-1' });
    await repo.publish(keys);
    const updater = client(repo, work);
    await updater.refresh();
    const info = await updater.getTargetInfo('headset-1.1.0.hcb');
    expect(info?.length).toBe(100_000);
    expect(info?.custom).toEqual({ version: '1.1.0', compatible: 'HC-1' });
    mkdirSync(join(work, 'downloads'), { recursive: true });
    const path = await updater.downloadTarget(info!);
    expect(readFileSync(path).equals(readFileSync(bundle))).toBe(true);
  });

  it('an up-to-date check fetches the next root (absent) and the timestamp only', async () => {
    const { repo, keys, bundle, work } = await newRepository();
    await repo.add(bundle);
    await repo.publish(keys);
    const metadataDir = join(work, 'device');
    mkdirSync(metadataDir);
    copyFileSync(join(repo.served, '1.root.json'), join(metadataDir, 'root.json'));
    await new Updater({ metadataDir, metadataBaseUrl: base, config: { fetchRetries: 0 } }).refresh();
    requests.length = 0;
    await new Updater({ metadataDir, metadataBaseUrl: base, config: { fetchRetries: 0 } }).refresh();
    expect(requests.map((r) => r.url)).toEqual(['/2.root.json', '/timestamp.json']);
    expect(requests.reduce((sum, r) => sum + r.bytes, 0)).toBeLessThan(2048);
  });

  it('refuses tampered targets metadata', async () => {
    const { repo, keys, bundle, work } = await newRepository();
    await repo.add(bundle, { version: '1.1.0' });
    await repo.publish(keys);
    const file = join(repo.served, '2.targets.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('1.1.0', '9.9.9'));
    await expect(client(repo, work).refresh()).rejects.toThrow();
  });

  it('refuses expired metadata (freeze attack)', async () => {
    const { repo, keys, bundle, work } = await newRepository();
    await repo.add(bundle);
    await repo.publish(keys, new Date(Date.now() - 3 * 86_400_000)); // timestamp valid 1 day
    await expect(client(repo, work).refresh()).rejects.toThrow(/expired/i);
  });

  it('refuses an older timestamp once it has seen a newer one (rollback attack)', async () => {
    const { repo, keys, bundle, work } = await newRepository();
    const oldTimestamp = readFileSync(join(repo.served, 'timestamp.json'));
    await repo.add(bundle);
    await repo.publish(keys);
    const metadataDir = join(work, 'device');
    mkdirSync(metadataDir);
    copyFileSync(join(repo.served, '1.root.json'), join(metadataDir, 'root.json'));
    await new Updater({ metadataDir, metadataBaseUrl: base, config: { fetchRetries: 0 } }).refresh();
    writeFileSync(join(repo.served, 'timestamp.json'), oldTimestamp);
    await expect(new Updater({ metadataDir, metadataBaseUrl: base, config: { fetchRetries: 0 } }).refresh()).rejects.toThrow(/version/i);
  });

  it('refuses a snapshot the timestamp does not vouch for (mix and match)', async () => {
    const { repo, keys, bundle, work } = await newRepository();
    await repo.add(bundle);
    await repo.publish(keys);
    const snapshot = join(repo.served, '2.snapshot.json');
    writeFileSync(snapshot, `${readFileSync(snapshot, 'utf8').trimEnd()} \n`); // same JSON, other bytes
    await expect(client(repo, work).refresh()).rejects.toThrow();
  });

  it('refuses a target whose bytes changed on the server', async () => {
    const { repo, keys, bundle, work } = await newRepository();
    const target = await repo.add(bundle);
    await repo.publish(keys);
    writeFileSync(join(repo.served, 'targets', `${target.hashes.sha256}.headset-1.1.0.hcb`), Buffer.alloc(100_000, 8));
    const updater = client(repo, work);
    await updater.refresh();
    mkdirSync(join(work, 'downloads'), { recursive: true });
    await expect(updater.downloadTarget((await updater.getTargetInfo('headset-1.1.0.hcb'))!)).rejects.toThrow();
  });

  it('rotates every key: a device that trusts only the first root follows the chain', async () => {
    const { repo, keys, bundle, work } = await newRepository();
    const rotated = newKeys();
    expect(
      await repo.rotateRoot(
        keys.root.map((k) => k.signer),
        rotated,
      ),
    ).toBe(2);
    await repo.add(bundle, { version: '1.1.0' });
    await repo.publish(rotated);
    const updater = client(repo, work);
    await updater.refresh();
    expect((await updater.getTargetInfo('headset-1.1.0.hcb'))?.custom).toEqual({ version: '1.1.0' });
  });

  it('refuses a new root the old root keys did not sign', async () => {
    const { repo, bundle, work } = await newRepository();
    const attacker = newKeys();
    await repo.rotateRoot([], attacker); // signed by the new keys only
    await repo.add(bundle);
    await repo.publish(attacker);
    await expect(client(repo, work).refresh()).rejects.toThrow();
  });
});
