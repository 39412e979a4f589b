import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallHandlers, EventSources } from '../../src/api/contract.js';
import { ApiRouter } from '../../src/api/router.js';
import { SecretRegistry } from '../../src/secrets/SecretRegistry.js';
import { startWebHost } from './WebHost.js';
import { IdentityService } from '../services/identity/IdentityService.js';
import { DeviceIdHasher } from '../services/telemetry/DeviceIdHasher.js';
import { registerKeyBytes } from '../services/secrets/registerKeyBytes.js';

/** What the headset holds today is registered while held, in the text forms a print would give it. */
const root = mkdtempSync(join(tmpdir(), 'held-secrets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every text form of `bytes` a careless print could produce. */
function printed(bytes: Buffer): string[] {
  return [
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    bytes.toString('base64'),
    bytes.toString('base64url'),
    JSON.stringify(bytes.toString('base64')),
  ];
}

describe('held secrets', () => {
  it('a key registered as bytes is cut out as hex, HEX, base64 (padded or not) and base64url, and never shows', () => {
    const secrets = new SecretRegistry();
    const key = Buffer.from('fb3f00ff7e5a9c1d2e3f405162738495a6b7c8d9eafb0c1d2e3f405162738495', 'hex');
    const unregister = registerKeyBytes(secrets, key, 'test key');
    for (const form of printed(key)) expect(secrets.redact(`key=${form};`), form).toMatch(/^key=("?)\[redacted\]=?\1;$/);
    expect(inspect(secrets, { showHidden: true, depth: 9 })).not.toMatch(/fb3f|\+z8A/i);
    unregister();
    expect(secrets.size).toBe(0);
  });

  it('the identity key: its 64 bytes and its seed, from the first load on, and again after a reload', async () => {
    const secrets = new SecretRegistry();
    const dir = join(root, 'identity');
    await new IdentityService(dir, { read: async () => undefined }, secrets).load();
    const key = readFileSync(join(dir, 'ed25519.secret'));
    for (const form of [...printed(key), ...printed(key.subarray(0, 32))]) expect(secrets.holds(`x ${form} y`), form).toBe(true);
    const reloaded = new SecretRegistry();
    await new IdentityService(dir, { read: async () => undefined }, reloaded).load();
    expect(reloaded.holds(key.toString('base64'))).toBe(true);
    expect(reloaded.labels()).toContain('identity key');
  });

  it("the telemetry pseudonym key and the signing seed of the current week; last week's seed and a replaced key are let go", async () => {
    const secrets = new SecretRegistry();
    const dir = join(root, 'telemetry');
    mkdirSync(dir);
    let now = new Date('2026-03-02T12:00:00Z');
    const hasher = new DeviceIdHasher(
      dir,
      () => 'device-1',
      () => now,
      secrets,
    );
    await hasher.load();
    const key = readFileSync(join(dir, 'telemetry-id.key'));
    const week1 = hasher.signingSeed();
    for (const form of [...printed(key), ...printed(week1)]) expect(secrets.holds(form), form).toBe(true);
    now = new Date('2026-03-09T12:00:00Z');
    const week2 = hasher.signingSeed();
    expect(secrets.holds(week2.toString('hex'))).toBe(true);
    expect(secrets.holds(week1.toString('hex'))).toBe(false);
    await hasher.reset();
    expect(secrets.holds(key.toString('hex'))).toBe(false);
    expect(secrets.holds(readFileSync(join(dir, 'telemetry-id.key')).toString('hex'))).toBe(true);
    expect(secrets.holds(week2.toString('hex'))).toBe(false); // the new key gives a new seed
    expect(secrets.holds(hasher.signingSeed().toString('hex'))).toBe(true);
  });

  it('the web host token, while the host runs', async () => {
    const secrets = new SecretRegistry();
    const router = new ApiRouter({} as CallHandlers, {} as EventSources, { mode: () => 'settings' });
    const web = await startWebHost({ router, rendererDir: root, port: 0, scopes: new Set(['status']), secrets });
    expect(secrets.redact(`opened ${web.url}`)).toBe(`opened ${web.origin}/#token=[redacted]`);
    await web.close();
    expect(secrets.holds(web.token)).toBe(false);
  });
});
