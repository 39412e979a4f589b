import { sha512 } from '@noble/hashes/sha2';
import type { LicenseStatus } from '../../src/api/contract/license.js';
import { AppError } from '../../src/api/errors.js';
import { StateChannel } from '../../src/api/stateChannel.js';
import { type License, encodeLicenseFile, licenseBindsTo, licenseSigningBytes, verifyLicenseFile } from '../../src/licensing/licenseFile.js';
import { evaluateLicense, featureDecision } from '../../src/licensing/licenseState.js';
import {
  type RevocationList,
  assertNotOlder,
  encodeRevocationList,
  revocationSigningBytes,
  verifyRevocationList,
} from '../../src/licensing/revocationList.js';

/**
 * The fake device's licence: the real format, state and revocation rules (src/licensing/) with a
 * stand-in signature (SHA-512 of key and message: test-support stays pure, without Ed25519). The
 * headset's own service (main/services/license/) verifies real Ed25519 signatures. `world` holds the
 * clock, the stick's files and what the revocation source serves (undefined: no source).
 */
export const FAKE_VENDOR_KEY: Uint8Array = new Uint8Array(32).fill(7);
export const FAKE_DEVICE_ID = '00000000-0000-4000-8000-000000000001';
const fakeSign = (message: Uint8Array, key: Uint8Array = FAKE_VENDOR_KEY): Uint8Array => sha512(new Uint8Array([...key, ...message]));
const fakeVerify = (signature: Uint8Array, message: Uint8Array, key: Uint8Array) => {
  const expected = fakeSign(message, key);
  return signature.length === expected.length && signature.every((b, i) => b === expected[i]);
};

export function fakeLicenseFile(license: License, key = FAKE_VENDOR_KEY): string {
  return encodeLicenseFile(license, fakeSign(licenseSigningBytes(license), key));
}

export function fakeRevocationList(list: RevocationList): string {
  return encodeRevocationList(list, fakeSign(revocationSigningBytes(list)));
}

export function sampleLicense(overrides: Partial<License> = {}): License {
  return {
    serial: 'HC-0001',
    licensee: 'Example Clinic',
    binding: { kind: 'device', deviceId: FAKE_DEVICE_ID },
    features: ['remote-support', 'tracks'],
    issuedAt: '2026-01-01T00:00:00Z',
    notBefore: '2026-01-01T00:00:00Z',
    expiresAt: '2027-06-01T00:00:00Z',
    graceDays: 14,
    ...overrides,
  };
}

export function createFakeLicense() {
  const world = {
    now: Date.parse('2026-12-01T00:00:00Z'),
    stick: [] as string[] | undefined,
    served: undefined as string | undefined,
    /** The vendor's licence key is in the trust folder. */
    vendorKey: true,
  };
  let license: License | undefined;
  let revocations: RevocationList | undefined;
  const channel = new StateChannel<LicenseStatus>();
  const publish = (): LicenseStatus => {
    const evaluation = evaluateLicense(license, world.now, new Set(revocations?.serials));
    const status: LicenseStatus = {
      ...evaluation,
      licensee: license?.licensee ?? null,
      serial: license?.serial ?? null,
      features: license?.features ?? [],
      issuedAt: license?.issuedAt ?? null,
      notBefore: license?.notBefore ?? null,
      expiresAt: license?.expiresAt ?? null,
      graceEndsAt: license ? new Date(Date.parse(license.expiresAt) + license.graceDays * 86_400_000).toISOString() : null,
      graceDays: license?.graceDays ?? null,
      trustedNow: new Date(world.now).toISOString(),
      clockBehind: false,
      revocations: { version: revocations?.version ?? null, issuedAt: revocations?.issuedAt ?? null, fetchedAt: null, source: 'url' },
    };
    channel.set(status);
    return status;
  };
  const install = (text: string) => {
    if (!world.vendorKey) throw new AppError('LICENSE_KEY_MISSING');
    const found = verifyLicenseFile(text, FAKE_VENDOR_KEY, fakeVerify);
    if (!licenseBindsTo(found.binding, { deviceId: FAKE_DEVICE_ID })) throw new AppError('LICENSE_OTHER_HEADSET');
    const state = evaluateLicense(found, world.now, new Set(revocations?.serials)).state;
    if (state === 'revoked') throw new AppError('LICENSE_REVOKED');
    if (state === 'expired') throw new AppError('LICENSE_EXPIRED');
    license = found;
    return publish();
  };
  publish();
  return {
    world,
    channel,
    publish,
    handlers: {
      'license.status': () => channel.current()!,
      'license.feature': ({ feature }: { feature: string }) => ({
        feature,
        ...featureDecision(evaluateLicense(license, world.now, new Set(revocations?.serials)), feature),
      }),
      'license.install': ({ text }: { text: string }) => install(text),
      'license.installFromUsb': () => {
        if (world.stick?.length !== 1) throw new AppError('LICENSE_NOT_FOUND');
        return install(world.stick[0]!);
      },
      'license.refreshRevocations': () => {
        if (world.served === undefined) throw new AppError('LICENSE_REVOCATIONS_UNAVAILABLE');
        const list = verifyRevocationList(world.served, FAKE_VENDOR_KEY, fakeVerify);
        assertNotOlder(list, revocations);
        revocations = list;
        return publish();
      },
    },
  };
}
