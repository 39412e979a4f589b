import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LicenseStatus, NetworkStatus } from '../../../src/api/contract.js';
import type { AppError } from '../../../src/api/errors.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { capturedLog } from '../../../test-support/logging/capturedLog.js';
import { type SigningKey, generateKeys, loadSigningKey } from '../../operator/keys/signingKeys.js';
import { type LicenseRequest, licenseOf, signLicense, signRevocationList } from '../../operator/license/licenseIssuer.js';
import { licenseCapability } from './licenseCapability.js';
import type { HeadsetBinding } from './ports.js';

/**
 * The headset's licence capability with real Ed25519 keys (the vendor's licence key made by the
 * operator tools), real files in a temporary state folder, a clock the test moves, and a revocation
 * source the test serves.
 */
const DAY = 86_400_000;
const THIS_HEADSET: HeadsetBinding = { deviceId: '7d1c6a52-3b0e-4c59-9d0e-2f4a1b7c9e01', identityPublicKey: Buffer.alloc(32, 3).toString('base64') };
let root: string;
let vendor: SigningKey;
let otherVendor: SigningKey;
let now: number;
let served: string | undefined;
const stops: (() => Promise<void>)[] = [];

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'license-'));
  await generateKeys(join(root, 'keys'), ['license']);
  await generateKeys(join(root, 'other-keys'), ['license']);
  vendor = await loadSigningKey(join(root, 'keys', 'license.key'));
  otherVendor = await loadSigningKey(join(root, 'other-keys', 'license.key'));
  mkdirSync(join(root, 'trust'));
  copyFileSync(join(root, 'keys', 'license.pub'), join(root, 'trust', 'license.pub'));
  mkdirSync(join(root, 'usb'));
  now = Date.parse('2026-12-01T12:00:00Z');
  served = undefined;
});

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  rmSync(root, { recursive: true, force: true });
});

async function startHeadset(options: { online?: boolean } = {}) {
  const lines: string[] = [];
  const capability = licenseCapability({
    stateDir: join(root, 'state'),
    trustDir: join(root, 'trust'),
    headset: () => THIS_HEADSET,
    revocations: {
      kind: 'url',
      fetch: async () => {
        if (served === undefined) throw new Error('connection refused');
        return served;
      },
    },
    medium: { locate: async () => join(root, 'usb') },
    network: new StateChannel<NetworkStatus>({ state: options.online ? 'online' : 'offline', since: new Date(0).toISOString() }),
    log: capturedLog(lines, 'license'),
    clock: () => now,
  });
  await capability.start!();
  stops.push(() => capability.stop!());
  const call = <T>(name: string, input: unknown = {}) => (capability.handlers as Record<string, (i: unknown) => T | Promise<T>>)[name]!(input);
  return {
    capability,
    lines,
    status: () => capability.provides.license.current()!,
    install: (text: string) => call<Promise<LicenseStatus>>('license.install', { text }),
    refresh: () => call<Promise<LicenseStatus>>('license.refreshRevocations'),
  };
}

function issue(overrides: Partial<LicenseRequest> = {}, key = vendor): string {
  return signLicense(
    key,
    licenseOf({
      licensee: 'Example Clinic',
      binding: { kind: 'device', deviceId: THIS_HEADSET.deviceId },
      features: ['tracks', 'remote-support'],
      issuedAt: new Date('2026-11-01T00:00:00Z'),
      notBefore: new Date('2026-11-01T00:00:00Z'),
      expiresAt: new Date('2027-03-01T00:00:00Z'),
      graceDays: 14,
      serial: 'HC-1',
      ...overrides,
    }),
  );
}

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: AppError) => error.code,
  );

describe('licence states', () => {
  it('is not licensed without a file, active with one, and gates features by name with a reason', async () => {
    const headset = await startHeadset();
    expect(headset.status()).toMatchObject({ state: 'notLicensed', daysLeft: null });
    expect(headset.capability.provides.allows('tracks')).toBe(false);
    const status = await headset.install(issue());
    expect(status).toMatchObject({ state: 'active', daysLeft: 90, licensee: 'Example Clinic', features: ['remote-support', 'tracks'] });
    expect(headset.capability.provides.allows('tracks')).toBe(true);
    const handlers = headset.capability.handlers as Record<string, (i: unknown) => unknown>;
    expect(handlers['license.feature']!({ feature: 'calibration-pro' })).toEqual({
      feature: 'calibration-pro',
      allowed: false,
      reason: 'The licence does not include "calibration-pro".',
    });
  });

  it('is expiring soon within 30 days, then in grace, then expired; the file stays installed across a restart', async () => {
    let headset = await startHeadset();
    await headset.install(issue());
    now = Date.parse('2027-02-10T12:00:00Z');
    await stops.pop()!();
    headset = await startHeadset();
    expect(headset.status()).toMatchObject({ state: 'expiringSoon', daysLeft: 19 });
    now = Date.parse('2027-03-05T00:00:00Z');
    await stops.pop()!();
    headset = await startHeadset();
    expect(headset.status()).toMatchObject({ state: 'grace', daysLeft: 10, grantedFeatures: ['remote-support', 'tracks'] });
    now = Date.parse('2027-03-16T00:00:00Z');
    await stops.pop()!();
    headset = await startHeadset();
    expect(headset.status()).toMatchObject({ state: 'expired', daysLeft: 0, grantedFeatures: [] });
    expect(headset.capability.provides.allows('tracks')).toBe(false);
  });

  it('is not licensed before its not-before', async () => {
    const headset = await startHeadset();
    await headset.install(issue({ notBefore: new Date('2026-12-10T00:00:00Z') }));
    expect(headset.status()).toMatchObject({ state: 'notLicensed', notYetValid: true });
  });
});

describe('bad input', () => {
  it('refuses a tampered licence, one signed by another key, and garbage', async () => {
    const headset = await startHeadset();
    const tampered = issue().replace('"graceDays": 14', '"graceDays": 365');
    expect(await codeOf(headset.install(tampered))).toBe('LICENSE_SIGNATURE_INVALID');
    expect(await codeOf(headset.install(issue({}, otherVendor)))).toBe('LICENSE_SIGNATURE_INVALID');
    expect(await codeOf(headset.install('\u0000\u0001garbage'))).toBe('LICENSE_INVALID');
    expect(await codeOf(headset.install(''))).toBe('LICENSE_INVALID');
    expect(await codeOf(headset.install('{"format":"hc-license-v1","license":{},"signature":""}'))).toBe('LICENSE_INVALID');
    expect(headset.status().state).toBe('notLicensed');
  });

  it("refuses another headset's licence, by device id and by identity key", async () => {
    const headset = await startHeadset();
    expect(await codeOf(headset.install(issue({ binding: { kind: 'device', deviceId: 'another-device' } })))).toBe('LICENSE_OTHER_HEADSET');
    const otherKey = Buffer.alloc(32, 9).toString('base64');
    expect(await codeOf(headset.install(issue({ binding: { kind: 'identityKey', publicKey: otherKey } })))).toBe('LICENSE_OTHER_HEADSET');
    expect((await headset.install(issue({ binding: { kind: 'identityKey', publicKey: THIS_HEADSET.identityPublicKey } }))).state).toBe('active');
  });

  it('refuses a licence expired past its grace', async () => {
    const headset = await startHeadset();
    const text = issue({ notBefore: new Date('2026-01-01T00:00:00Z'), expiresAt: new Date('2026-11-01T00:00:00Z'), graceDays: 14 });
    expect(await codeOf(headset.install(text))).toBe('LICENSE_EXPIRED');
  });

  it('a licence on a newly fetched revocation list stops at once; a revoked one cannot be installed', async () => {
    const headset = await startHeadset();
    await headset.install(issue());
    served = signRevocationList(vendor, { version: 2, issuedAt: '2026-12-01T00:00:00Z', serials: ['HC-1'] });
    const status = await headset.refresh();
    expect(status).toMatchObject({ state: 'revoked', grantedFeatures: [], revocations: { version: 2 } });
    expect(headset.capability.provides.allows('tracks')).toBe(false);
    expect(await codeOf(headset.install(issue()))).toBe('LICENSE_REVOKED');
    // The cached list survives a restart, verified again.
    await stops.pop()!();
    expect((await startHeadset()).status().state).toBe('revoked');
  });

  it('refuses a revocation list older than the cached one, and one signed by another key', async () => {
    const headset = await startHeadset();
    served = signRevocationList(vendor, { version: 5, issuedAt: '2026-11-30T00:00:00Z', serials: ['HC-9'] });
    await headset.refresh();
    served = signRevocationList(vendor, { version: 4, issuedAt: '2026-11-29T00:00:00Z', serials: [] });
    expect(await codeOf(headset.refresh())).toBe('LICENSE_REVOCATIONS_OLDER');
    served = signRevocationList(otherVendor, { version: 6, issuedAt: '2026-11-30T00:00:00Z', serials: [] });
    expect(await codeOf(headset.refresh())).toBe('LICENSE_REVOCATIONS_INVALID');
    served = 'not json';
    expect(await codeOf(headset.refresh())).toBe('LICENSE_REVOCATIONS_INVALID');
    served = undefined;
    expect(await codeOf(headset.refresh())).toBe('LICENSE_REVOCATIONS_UNAVAILABLE');
    expect(headset.status().revocations.version).toBe(5);
  });

  it.each([
    ['a day', DAY],
    ['a year', 365 * DAY],
  ])('setting the clock back by %s never extends a licence (across a restart)', async (_, back) => {
    let headset = await startHeadset();
    // Expires at noon: the clock set back a day would land before it, a year before its not-before.
    await headset.install(issue({ expiresAt: new Date('2026-12-20T12:00:00Z'), graceDays: 0 }));
    now = Date.parse('2026-12-21T00:00:00Z');
    await stops.pop()!();
    headset = await startHeadset();
    expect(headset.status().state).toBe('expired');
    now -= back;
    await stops.pop()!();
    headset = await startHeadset();
    expect(headset.status()).toMatchObject({ state: 'expired', clockBehind: true, trustedNow: '2026-12-21T00:00:00.000Z' });
  });

  it("takes the revocation list's signed time as a trusted time: a clock behind it does not give days back", async () => {
    const headset = await startHeadset();
    await headset.install(issue());
    served = signRevocationList(vendor, { version: 1, issuedAt: '2027-02-20T00:00:00Z', serials: [] });
    const status = await headset.refresh();
    expect(status).toMatchObject({ state: 'expiringSoon', daysLeft: 9, clockBehind: true });
  });

  it('a garbage or missing file on disk is not trusted: installed licence, cached list, trusted-time mark, vendor key', async () => {
    let headset = await startHeadset();
    await headset.install(issue());
    served = signRevocationList(vendor, { version: 3, issuedAt: '2026-12-01T00:00:00Z', serials: [] });
    await headset.refresh();
    await stops.pop()!();
    const dir = join(root, 'state', 'license');
    writeFileSync(join(dir, 'license.hclicense'), readFileSync(join(dir, 'license.hclicense'), 'utf8').replace('Example', 'Exampel'));
    writeFileSync(join(dir, 'revocations.json'), 'garbage');
    writeFileSync(join(dir, 'trusted-time.json'), '{');
    headset = await startHeadset();
    expect(headset.status()).toMatchObject({ state: 'notLicensed', revocations: { version: null } });
    expect(headset.lines).toEqual(
      expect.arrayContaining([
        expect.stringContaining('mark is damaged'),
        expect.stringContaining('cached revocation list'),
        expect.stringContaining('installed licence'),
      ]),
    );
    rmSync(join(root, 'trust', 'license.pub'));
    expect(await codeOf(headset.install(issue()))).toBe('LICENSE_KEY_MISSING');
  });

  it('installs the one licence file on the USB stick, and says when there is none or several', async () => {
    const headset = await startHeadset();
    expect(await codeOf((headset.capability.handlers as Record<string, () => Promise<unknown>>)['license.installFromUsb']!())).toBe(
      'LICENSE_NOT_FOUND',
    );
    writeFileSync(join(root, 'usb', 'clinic.hclicense'), issue());
    const fromUsb = () => (headset.capability.handlers as Record<string, () => Promise<LicenseStatus>>)['license.installFromUsb']!();
    expect((await fromUsb()).state).toBe('active');
    writeFileSync(join(root, 'usb', 'second.hclicense'), issue());
    expect(await codeOf(fromUsb())).toBe('LICENSE_NOT_FOUND');
  });
});
