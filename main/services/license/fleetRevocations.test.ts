import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LicenseStatus, NetworkStatus } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { LICENSE_API } from '../../../src/fleet/licenseApi.js';
import { loadLicenseKey } from '../../../server/licenses/licenseKey.js';
import { type FleetTestServer, startFleetTestServer } from '../../../test-support/fleet/fleetTestServer.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../../../test-support/fleet/testDatabases.js';
import { capturedLog } from '../../../test-support/logging/capturedLog.js';
import { generateKeys } from '../../operator/keys/signingKeys.js';
import { licenseCapability } from './licenseCapability.js';
import { revocationSource } from './RevocationSources.js';

/**
 * End to end over HTTP: the fleet server (PGlite, listening on 127.0.0.1) issues a licence with the
 * vendor's key; the headset installs it, the operator revokes it, and the headset's next fetch of the
 * server's signed list stops it.
 */
const databases = new TestDatabases();
const work = mkdtempSync(join(tmpdir(), 'fleet-revocations-'));
let server: FleetTestServer;
let url: string;

beforeAll(async () => {
  await databases.prepare(['pglite']);
  await generateKeys(join(work, 'keys'), ['license']);
  server = await startFleetTestServer(await databases.migrated('pglite'), { licenseKey: await loadLicenseKey(join(work, 'keys', 'license.key')) });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`;
}, PREPARE_TIMEOUT_MS);
afterAll(async () => {
  await server.close();
  await databases.close();
  rmSync(work, { recursive: true, force: true });
});

it("a licence the server issued works offline, and stops at the headset's next fetch once the operator revoked it", async () => {
  const registered = await server.acceptedHeadset();
  const support = await server.operator('support');
  const issued = await support.post(LICENSE_API.issue(registered.deviceId), {
    licensee: 'Example Clinic',
    features: ['tracks'],
    expiresAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
    graceDays: 7,
  });
  const { serial, file } = issued.json<{ serial: string; file: string }>();
  mkdirSync(join(work, 'trust'), { recursive: true });
  copyFileSync(join(work, 'keys', 'license.pub'), join(work, 'trust', 'license.pub'));
  const capability = licenseCapability({
    stateDir: join(work, 'state'),
    trustDir: join(work, 'trust'),
    headset: () => ({ deviceId: registered.deviceId, identityPublicKey: registered.publicKey }),
    revocations: revocationSource({ fleetServerUrl: url }),
    medium: { locate: async () => undefined },
    network: new StateChannel<NetworkStatus>({ state: 'offline', since: new Date().toISOString() }),
    log: capturedLog([], 'license'),
  });
  await capability.start!();
  try {
    const handlers = capability.handlers as Record<string, (input: unknown) => Promise<LicenseStatus>>;
    expect((await handlers['license.install']!({ text: file })).state).toBe('active');
    expect((await handlers['license.refreshRevocations']!({})).state).toBe('active');
    expect((await support.post(LICENSE_API.revoke(serial), {})).status).toBe(200);
    const after = await handlers['license.refreshRevocations']!({});
    expect(after).toMatchObject({ state: 'revoked', revocations: { version: 2, source: 'fleet' } });
    expect(capability.provides.allows('tracks')).toBe(false);
  } finally {
    await capability.stop!();
  }
});
