import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sodium from 'sodium-native';
import type { FeatureDecision, LicenseStatus } from '../../../src/api/contract/license.js';
import { AppError } from '../../../src/api/errors.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { LICENSE_FILE_EXTENSION, type License, licenseBindsTo, verifyLicenseFile } from '../../../src/licensing/licenseFile.js';
import { evaluateLicense, featureDecision } from '../../../src/licensing/licenseState.js';
import { type RevocationList, assertNotOlder, verifyRevocationList } from '../../../src/licensing/revocationList.js';
import { parsePublicKeyFile } from '../../../src/update/keys.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { LicenseStore } from './LicenseStore.js';
import type { HeadsetBinding, LicenseMedium, RevocationSource } from './ports.js';
import type { TrustedClock } from './TrustedClock.js';

/** The vendor's licence-signing public key in the trust folder, beside bundle.pub. */
export const LICENSE_KEY_FILE = 'license.pub';
const DAY_MS = 86_400_000;

export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== sodium.crypto_sign_BYTES || publicKey.length !== sodium.crypto_sign_PUBLICKEYBYTES) return false;
  return sodium.crypto_sign_verify_detached(Buffer.from(signature), Buffer.from(message), Buffer.from(publicKey));
}

export interface LicenseServiceDeps {
  store: LicenseStore;
  clock: TrustedClock;
  trustDir: string;
  headset: () => HeadsetBinding;
  revocations: RevocationSource;
  medium: LicenseMedium;
  log: SubsystemLogger;
}

/**
 * The headset's licence: verified offline against the vendor key, evaluated at the trusted time (never
 * earlier than the high-water mark), against the last verified revocation list. Every check runs on
 * load too: a licence file changed on disk, or a cached list that no longer verifies, is not trusted.
 */
export class LicenseService {
  readonly status = new StateChannel<LicenseStatus>();
  private license: License | undefined;
  private revocations: RevocationList | undefined;
  private fetchedAt: string | null = null;

  constructor(private readonly deps: LicenseServiceDeps) {}

  async load(): Promise<void> {
    const { store, clock, log } = this.deps;
    await clock
      .load()
      .catch((error: unknown) => log.error('the trusted-time mark is damaged; using the file times and the clock', { error: String(error) }));
    await clock.observe(await store.newestFileTimeMs(), 'file');
    await clock.observeClock();
    const key = await this.vendorKey().catch(() => undefined);
    const cachedList = await store.readRevocations();
    if (key && cachedList !== undefined) {
      try {
        this.revocations = verifyRevocationList(cachedList, key, verifyEd25519);
        this.fetchedAt = await store.readFetchedAt();
      } catch (error) {
        log.error('the cached revocation list does not verify; ignored', { code: (error as AppError).code });
      }
    }
    const installed = await store.readLicense();
    if (installed !== undefined) {
      try {
        if (!key) throw new AppError('LICENSE_KEY_MISSING');
        const license = verifyLicenseFile(installed, key, verifyEd25519);
        if (!licenseBindsTo(license.binding, this.deps.headset())) throw new AppError('LICENSE_OTHER_HEADSET');
        this.license = license;
      } catch (error) {
        log.error('the installed licence is not valid; not licensed', { code: (error as AppError).code });
      }
    }
    this.publish();
  }

  /** Re-evaluates at the trusted time (days left change; a timer calls it). */
  async tick(): Promise<void> {
    await this.deps.clock.observeClock();
    this.publish();
  }

  feature(feature: string): FeatureDecision {
    const decision = featureDecision(evaluateLicense(this.license, this.deps.clock.now(), this.revokedSerials()), feature);
    return { feature, ...decision };
  }

  async install(text: string): Promise<LicenseStatus> {
    const key = await this.vendorKey();
    const license = verifyLicenseFile(text, key, verifyEd25519);
    if (!licenseBindsTo(license.binding, this.deps.headset()))
      throw new AppError('LICENSE_OTHER_HEADSET', undefined, { serial: license.serial, binding: license.binding.kind });
    const evaluation = evaluateLicense(license, this.deps.clock.now(), this.revokedSerials());
    if (evaluation.state === 'revoked') throw new AppError('LICENSE_REVOKED', undefined, { serial: license.serial });
    if (evaluation.state === 'expired') throw new AppError('LICENSE_EXPIRED', undefined, { serial: license.serial, expiresAt: license.expiresAt });
    await this.deps.store.writeLicense(text);
    this.license = license;
    this.deps.log.info('licence installed', { serial: license.serial, expiresAt: license.expiresAt });
    return this.publish();
  }

  async installFromUsb(): Promise<LicenseStatus> {
    const stick = await this.deps.medium.locate();
    if (!stick) throw new AppError('LICENSE_NOT_FOUND', 'No USB stick is plugged in.');
    const files = (await readdir(stick, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith(LICENSE_FILE_EXTENSION));
    if (files.length !== 1)
      throw new AppError(
        'LICENSE_NOT_FOUND',
        files.length === 0
          ? `The USB stick has no licence file (*${LICENSE_FILE_EXTENSION}) at its top level.`
          : `The USB stick has ${files.length} licence files; leave only the one to install.`,
      );
    const text = await readFile(join(stick, files[0]!.name), 'utf8');
    return this.install(text);
  }

  /** Fetches, verifies and caches the revocation list; an older list than the cached one is refused. */
  async refreshRevocations(): Promise<LicenseStatus> {
    const key = await this.vendorKey();
    if (this.deps.revocations.kind === 'none')
      throw new AppError('LICENSE_REVOCATIONS_UNAVAILABLE', 'No revocation list source is configured (no fleet server, no URL).');
    let text: string;
    try {
      text = await this.deps.revocations.fetch();
    } catch (error) {
      throw new AppError('LICENSE_REVOCATIONS_UNAVAILABLE', undefined, { reason: error instanceof Error ? error.message : String(error) });
    }
    const list = verifyRevocationList(text, key, verifyEd25519);
    assertNotOlder(list, this.revocations);
    // The list's issuedAt is signed by the vendor's key: a trusted time for the high-water mark.
    await this.deps.clock.observe(Date.parse(list.issuedAt), 'server');
    const fetchedAt = new Date(this.deps.clock.now()).toISOString();
    if (!this.revocations || list.version > this.revocations.version) {
      await this.deps.store.writeRevocations(text, fetchedAt);
      this.revocations = list;
      if (this.license && list.serials.includes(this.license.serial)) this.deps.log.warn('the licence was revoked', { serial: this.license.serial });
    }
    this.fetchedAt = fetchedAt;
    return this.publish();
  }

  /** A verified trusted time from another capability (TUF timestamp metadata). */
  async observeTrustedTime(ms: number): Promise<void> {
    await this.deps.clock.observe(ms, 'tuf');
    this.publish();
  }

  private revokedSerials(): ReadonlySet<string> {
    return new Set(this.revocations?.serials ?? []);
  }

  private async vendorKey(): Promise<Uint8Array> {
    let text: string;
    try {
      text = await readFile(join(this.deps.trustDir, LICENSE_KEY_FILE), 'utf8');
    } catch {
      throw new AppError('LICENSE_KEY_MISSING');
    }
    try {
      return parsePublicKeyFile(text, LICENSE_KEY_FILE);
    } catch {
      throw new AppError('LICENSE_KEY_MISSING', `${LICENSE_KEY_FILE} in the trust folder is not an Ed25519 public key file.`);
    }
  }

  private publish(): LicenseStatus {
    const now = this.deps.clock.now();
    const l = this.license;
    const evaluation = evaluateLicense(l, now, this.revokedSerials());
    const status: LicenseStatus = {
      state: evaluation.state,
      daysLeft: evaluation.daysLeft,
      notYetValid: evaluation.notYetValid,
      licensee: l?.licensee ?? null,
      serial: l?.serial ?? null,
      features: l ? [...l.features] : [],
      grantedFeatures: evaluation.grantedFeatures,
      issuedAt: l?.issuedAt ?? null,
      notBefore: l?.notBefore ?? null,
      expiresAt: l?.expiresAt ?? null,
      graceEndsAt: l ? new Date(Date.parse(l.expiresAt) + l.graceDays * DAY_MS).toISOString() : null,
      graceDays: l?.graceDays ?? null,
      trustedNow: new Date(now).toISOString(),
      clockBehind: this.deps.clock.clockBehind(),
      revocations: {
        version: this.revocations?.version ?? null,
        issuedAt: this.revocations?.issuedAt ?? null,
        fetchedAt: this.fetchedAt,
        source: this.deps.revocations.kind,
      },
    };
    this.status.set(status);
    return status;
  }
}
