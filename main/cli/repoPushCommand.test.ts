import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UPDATE_API, type RepositoryFiles } from '../../src/fleet/updateApi.js';
import { startFleetTestServer, TEST_PASSWORD, type FleetTestServer } from '../../test-support/fleet/fleetTestServer.js';
import { FleetUpdateRepository } from '../../test-support/fleet/fleetUpdateRepository.js';
import type { OperatorClient } from '../../test-support/fleet/OperatorClient.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';
import { runHeadsetctl } from './cli.js';

// headsetctl repo push against the fleet server in process on PGlite, over real HTTP.
const databases = new TestDatabases();
const work = mkdtempSync(join(tmpdir(), 'hc-repo-push-'));
let server: FleetTestServer;
let admin: OperatorClient;
let url = '';
let vendor: FleetUpdateRepository;
const passwordFile = join(work, 'password');

beforeAll(async () => {
  await databases.prepare(['pglite']);
  server = await startFleetTestServer(await databases.migrated('pglite'));
  admin = await server.operator('admin');
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  vendor = await FleetUpdateRepository.create();
  await vendor.addVersion('HC-1', '2.0.0');
  writeFileSync(passwordFile, `${TEST_PASSWORD}\n`, { mode: 0o600 });
}, PREPARE_TIMEOUT_MS);
afterAll(async () => {
  await server.close();
  await databases.close();
  vendor.close();
  rmSync(work, { recursive: true, force: true });
});

async function push(...extra: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runHeadsetctl(['repo', 'push', vendor.repo.dir, ...extra], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

it('uploads the repository, publishes it last, then uploads only what is new', async () => {
  const first = await push('--fleet', url, '--user', 'admin1', '--password-file', passwordFile);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/Published timestamp v\d+: HC-1 2\.0\.0\./);
  expect(first.stdout).toContain(`Headsets follow ${url}/updates`);
  const held = (await admin.get(UPDATE_API.files)).json<RepositoryFiles>();
  expect(held.publishedTimestampVersion).toBe(Number(/timestamp v(\d+)/.exec(first.stdout)![1]));

  // Nothing new: every file is there, the timestamp is not newer.
  const again = await push('--fleet', url, '--user', 'admin1', '--password-file', passwordFile);
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/^UPDATE_PUBLICATION_STALE: /);

  await vendor.addVersion('HC-1', '2.1.0');
  const next = await push('--fleet', url, '--user', 'admin1', '--password-file', passwordFile);
  expect(next.code, next.stderr).toBe(0);
  expect(next.stdout).toMatch(/Uploaded [1-9]\d* file\(s\), [1-9]\d* already on the server/);
  expect(next.stdout).toContain('HC-1 2.1.0');
});

it('says why it cannot push: a wrong password, no server, an address that would send the password in clear', async () => {
  writeFileSync(join(work, 'wrong'), 'not the password');
  expect((await push('--fleet', url, '--user', 'admin1', '--password-file', join(work, 'wrong'))).stderr).toMatch(/^LOGIN_FAILED: /);
  const unreachable = await push('--fleet', 'http://127.0.0.1:9', '--user', 'admin1', '--password-file', passwordFile);
  expect(unreachable.code).toBe(1);
  expect(unreachable.stderr).toMatch(/^FLEET_UNREACHABLE: /);
  const clear = await push('--fleet', 'http://fleet.example.com', '--user', 'admin1', '--password-file', passwordFile);
  expect(clear.code).toBe(2);
  expect(clear.stderr).toContain('must be https://');
  expect((await push('--fleet', url)).code).toBe(2);
});
