/// <reference types="vite/client" />
import { checkDecommissionAuthorization } from '../reset/decommissionAuthorization.js';
import { assertConfigured, assertNoOperationRunning, assertRollbackAllowed, checkFailed, nothingToDo } from '../update/operationGuard.js';
import {
  checkBootSpace,
  checkFreeSpace,
  checkInstallable,
  checkSlotReadback,
  serviceStopFailed,
  type DeviceFacts,
} from '../update/installability.js';
import { assertNoRepository, requireMetadata } from '../update/tuf/repositoryChecks.js';
import { assertRootFit } from '../image/rootProblems.js';
import { describe, expect, it } from 'vitest';
// Read through the bundler, not node:fs: src/ stays free of Node imports, tests included.
import errorsDoc from '../../docs/errors.md?raw';
import type { ApiError } from './client.js';
import { apiCalls, type CallName, type EventName } from './contract.js';
import { BUNDLE_MAGIC, decodeBundleHeader, encodeBundleHeader } from '../update/header.js';
import { assertNoExistingKeys, parsePublicKeyFile } from '../update/keys.js';
import type { BundleManifest } from '../update/manifest.js';
import { checkBundleEnd, checkLayout, checkManifestSignature, checkPayloadDigest } from '../update/verify.js';
import { checkDeltaSource, patchToolError, type DeltaImage } from '../update/delta.js';
import {
  AppError,
  ERROR_AREAS,
  ERROR_CATALOGUE,
  ERROR_CODES,
  GENERIC_ERROR_CODES,
  OPERATOR_ONLY_CODES,
  isErrorCode,
  type ErrorCode,
} from './errors.js';
import { nmcliError } from '../network/nmcliErrors.js';
import { PRIVACY_POLICY_VERSION } from '../telemetry/consent.js';
import { checkRestorable, manifestFromTags } from '../backup/backupManifest.js';
import { assertIdle, checkRestoreRoom, checkStillThere, requirePresent, verificationFailure } from '../backup/backupGuards.js';
import { checkNewPassphrase, selectClasses } from '../backup/backupSelection.js';
import { resticFailure } from '../backup/resticFailure.js';
import { exportFailedError } from '../logging/exportFailure.js';
import { logsNotWrittenError } from '../logging/logsNotWritten.js';
import { problemOfAnswer, unreachable } from '../registration/registrationProblem.js';
import { createFakeDevice } from '../../test-support/api/fakeDevice.js';
import { checkSanitizationRecord } from '../reset/sanitizationRecord.js';
import { sampleSanitizationRecord } from '../../test-support/api/fakeReset.js';
import { connectHarness } from '../../test-support/api/harness.js';
import { errorCodeOf } from '../../test-support/api/errorCodes.js';
import { HeldCalls } from '../../test-support/api/heldCalls.js';
import { sampleHealth } from '../../test-support/api/samples.js';
import { fakeLicenseFile, fakeRevocationList, sampleLicense } from '../../test-support/api/fakeLicense.js';
import { checkSessionEnded, checkTrackName, requireSession, requireTrack } from '../tracks/trackGuards.js';
import { WearerProfileStore } from '../profile/WearerProfileStore.js';

/**
 * One scenario per code that really produces it through the router and the client. Typed as a
 * Record over ErrorCode: adding a code to the catalogue does not compile until it has a scenario.
 */
const scenarios: Record<ErrorCode, () => Promise<ErrorCode>> = {
  BAD_MESSAGE: async () => {
    const h = connectHarness();
    h.raw.send('this is not json');
    return (await h.raw.nextError(null)).code;
  },
  MESSAGE_TOO_LARGE: async () => {
    const h = connectHarness({ maxMessageBytes: 256 });
    h.raw.send({ type: 'call', id: 1000, method: 'system.ping', input: { payload: 'x'.repeat(300) } });
    return (await h.raw.nextError(null)).code;
  },
  UNKNOWN_METHOD: () => errorCodeOf(connectHarness().client.call('device.explode' as CallName)),
  UNKNOWN_EVENT: () =>
    new Promise((resolve) =>
      connectHarness().client.subscribe(
        'device.exploded' as EventName,
        () => undefined,
        (e: ApiError) => resolve(e.code),
      ),
    ),
  INVALID_INPUT: () => errorCodeOf(connectHarness().client.call('system.ping', { payload: 7 as unknown as string })),
  FORBIDDEN: () => errorCodeOf(connectHarness({ device: createFakeDevice({ mode: 'setup' }), scopes: ['status'] }).client.call('setup.complete')),
  WRONG_MODE: () => errorCodeOf(connectHarness({ device: createFakeDevice({ mode: 'settings' }) }).client.call('setup.complete')),
  DUPLICATE_ID: async () => {
    const held = new HeldCalls();
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.ping': held.handler({}) } }) });
    h.raw.send({ type: 'call', id: 1000, method: 'system.ping' });
    await held.entered(1);
    h.raw.send({ type: 'call', id: 1000, method: 'system.ping' });
    return (await h.raw.nextError(1000)).code;
  },
  BUSY: async () => {
    const held = new HeldCalls();
    const h = connectHarness({ maxInFlight: 1, device: createFakeDevice({ overrides: { 'system.ping': held.handler({}) } }) });
    void h.client.call('system.ping');
    await held.entered(1);
    return errorCodeOf(h.client.call('system.info'));
  },
  CANCELLED: async () => {
    const held = new HeldCalls();
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.ping': held.handler({}) } }) });
    const controller = new AbortController();
    const call = h.client.call('system.ping', {}, { signal: controller.signal });
    await held.entered(1);
    controller.abort();
    return errorCodeOf(call);
  },
  DISCONNECTED: async () => {
    const held = new HeldCalls();
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.ping': held.handler({}) } }) });
    const call = h.client.call('system.ping');
    await held.entered(1);
    h.client.close();
    return errorCodeOf(call);
  },
  NOT_SUPPORTED: () => errorCodeOf(connectHarness({ device: createFakeDevice({ mode: 'recovery' }) }).client.call('recovery.restart')),
  // Bundle and key codes are raised by the update tools and the bundle reader, not by a call yet:
  // each scenario runs the real check that raises it (src/update), on the input that triggers it.
  BUNDLE_TRUNCATED: () => thrownCode(() => decodeBundleHeader(BUNDLE_MAGIC.slice(0, 5))),
  BUNDLE_MALFORMED: () => thrownCode(() => decodeBundleHeader(new TextEncoder().encode('PK\x03\x04 a zip, not a bundle'))),
  BUNDLE_UNSUPPORTED_FORMAT: () => thrownCode(() => decodeBundleHeader(encodeBundleHeader({ formatVersion: 2, manifestLength: 100 }))),
  BUNDLE_MANIFEST_TOO_LARGE: () => thrownCode(() => decodeBundleHeader(headerClaiming(0xffffffff))),
  BUNDLE_UNTRUSTED_KEY: () => thrownCode(() => checkManifestSignature(signatureBlock, manifestBytes, [], () => true)),
  BUNDLE_BAD_SIGNATURE: () => {
    const wrongKey = { keyId: '11'.repeat(32), publicKey: new Uint8Array(32) };
    return thrownCode(() => checkManifestSignature(signatureBlock, manifestBytes, [wrongKey], () => false));
  },
  BUNDLE_BAD_LAYOUT: () => thrownCode(() => checkLayout({ ...sampleManifest, images: [{ ...sampleManifest.images[0]!, offset: 0 }] }, 300)),
  BUNDLE_PAYLOAD_MISMATCH: () =>
    thrownCode(() => checkPayloadDigest(sampleManifest.images[0]!, 'compressed', { length: 10, sha256: 'ff'.repeat(32) })),
  BUNDLE_TRAILING_DATA: () => thrownCode(() => checkBundleEnd(1000, 1001)),
  KEY_EXISTS: () => thrownCode(() => assertNoExistingKeys(['README', 'bundle.key'])),
  KEY_INVALID: () => thrownCode(() => parsePublicKeyFile('{"keytype":"rsa"}')),
  UPDATE_INCOMPATIBLE: () => thrownCode(() => checkInstallable(installableManifest(), { ...device, model: 'HC-2' })),
  UPDATE_NOT_NEWER: () => thrownCode(() => checkInstallable(installableManifest(), { ...device, installedVersion: '2.0.0' })),
  UPDATE_BELOW_MIN_VERSION: () => thrownCode(() => checkInstallable({ ...installableManifest(), minVersion: '1.5.0' }, device)),
  UPDATE_REQUIREMENT_UNMET: () => {
    const manifest = { ...installableManifest(), requires: [{ name: 'firmware', range: '>=3.0.0' }] };
    return thrownCode(() => checkInstallable(manifest, { ...device, components: { firmware: '2.1.0' } }));
  },
  UPDATE_NO_SPACE: () => thrownCode(() => checkFreeSpace(500_000_000, 100_000_000)),
  UPDATE_TOO_LARGE: () => thrownCode(() => checkInstallable(installableManifest(), { ...device, partitions: { rootfs: 10 } })),
  UPDATE_NO_BOOT_SPACE: () => thrownCode(() => checkBootSpace(8 * 1024 * 1024, 1024 * 1024)),
  UPDATE_SERVICE_STOP_FAILED: () =>
    thrownCode(() => {
      throw serviceStopFailed('headset-slot-inspector.service', 'Job for headset-slot-inspector.service canceled.');
    }),
  SLOT_VERIFY_FAILED: () =>
    thrownCode(() => checkSlotReadback('rootfs', { length: 4, sha256: 'a'.repeat(64) }, { length: 4, sha256: 'b'.repeat(64) })),
  UPDATE_IN_PROGRESS: () => thrownCode(() => assertNoOperationRunning('installing')),
  UPDATE_ROLLBACK_NOT_ALLOWED: () => thrownCode(() => assertRollbackAllowed(false, '1.0.0')),
  UPDATE_NOT_CONFIGURED: () => thrownCode(() => assertConfigured(undefined)),
  UPDATE_NOTHING_TO_DO: () =>
    thrownCode(() => {
      throw nothingToDo('No update is offered: check first.');
    }),
  UPDATE_CHECK_FAILED: () =>
    thrownCode(() => {
      throw checkFailed('The repository answered 503.');
    }),
  REPO_EXISTS: () => thrownCode(() => assertNoRepository({ signed: {} }, '/srv/repo')),
  REPO_MISSING: () => thrownCode(() => requireMetadata(undefined, 'timestamp.json', '/srv/repo')),
  IMAGE_ROOT_UNFIT: () => thrownCode(() => assertRootFit([{ path: '/var/lib/headset', problem: 'on the read-only root' }])),
  DELTA_SOURCE_MISMATCH: () => thrownCode(() => checkDeltaSource(sampleDeltaImage, { length: 20, sha256: 'ee'.repeat(32) })),
  DELTA_TOOL_FAILED: () =>
    thrownCode(() => {
      throw patchToolError({ operation: 'apply', image: 'rootfs', exitCode: null, signal: null, stderr: '', spawnError: 'ENOENT' });
    }),
  EXPORT_NO_MEDIUM: () => {
    const device = createFakeDevice();
    device.usbStick = undefined;
    return errorCodeOf(connectHarness({ device }).client.call('logs.export', {}));
  },
  EXPORT_FAILED: () =>
    thrownCode(() => {
      throw exportFailedError('ENOSPC');
    }),
  LOGS_NOT_WRITTEN: () =>
    thrownCode(() => {
      throw logsNotWrittenError({ entries: 50, dropped: 12, unsynced: 0, crashId: null });
    }),
  LOGS_RATE_LIMITED: async () => {
    // A burst of 200 entries is admitted; the fifth batch of 50 in the same instant is not.
    const h = connectHarness();
    const batch = Array.from({ length: 50 }, (_, i) => ({ level: 'info' as const, msg: `line ${i}` }));
    for (let i = 0; i < 4; i++) await h.client.call('logs.write', { entries: batch });
    return errorCodeOf(h.client.call('logs.write', { entries: batch }));
  },
  PRIVACY_ESSENTIAL_CATEGORY: () => {
    const decision = { policyVersion: PRIVACY_POLICY_VERSION, granted: { essential: false, usage: true } };
    return errorCodeOf(connectHarness().client.call('privacy.set', decision));
  },
  PRIVACY_POLICY_OUTDATED: () =>
    errorCodeOf(connectHarness().client.call('privacy.set', { policyVersion: PRIVACY_POLICY_VERSION - 1, granted: { usage: true } })),
  ALERT_NOT_DISMISSIBLE: () => {
    // An almost empty battery is about the headset itself: it goes when the charger is plugged in.
    const device = createFakeDevice({ health: { ...sampleHealth(), battery: { percent: 3, charging: false } } });
    return errorCodeOf(connectHarness({ device }).client.call('alerts.dismiss', { id: 'battery-critical' }));
  },
  LOCK_WRONG_PIN: () =>
    errorCodeOf(connectHarness({ device: createFakeDevice({ lock: { pin: '4711' } }) }).client.call('lock.unlock', { pin: '0000' })),
  LOCK_BACKING_OFF: async () => {
    const { client } = connectHarness({ device: createFakeDevice({ lock: { pin: '4711' } }) });
    for (let i = 0; i < 3; i++) await errorCodeOf(client.call('lock.unlock', { pin: '0000' }));
    return errorCodeOf(client.call('lock.unlock', { pin: '4711' }));
  },
  LOCK_PIN_TOO_SHORT: () => errorCodeOf(connectHarness().client.call('lock.set', { pin: '123' })),
  LOCK_PIN_TOO_LONG: () => errorCodeOf(connectHarness().client.call('lock.set', { pin: '123456789' })),
  LOCK_PIN_NOT_DIGITS: () => errorCodeOf(connectHarness().client.call('lock.set', { pin: '12ab' })),
  LOCK_PIN_REQUIRED: () =>
    errorCodeOf(connectHarness({ device: createFakeDevice({ lock: { pin: '4711' } }) }).client.call('lock.change', { newPin: '5555' })),
  LOCK_NO_PIN: () => errorCodeOf(connectHarness().client.call('lock.unlock', { pin: '4711' })),
  LOCK_PIN_ALREADY_SET: () =>
    errorCodeOf(connectHarness({ device: createFakeDevice({ lock: { pin: '4711' } }) }).client.call('lock.set', { pin: '5555' })),
  LOCK_FILE_CORRUPT: () =>
    errorCodeOf(connectHarness({ device: createFakeDevice({ lock: { unreadable: true } }) }).client.call('lock.unlock', { pin: '4711' })),
  RESET_CONFIRMATION_REQUIRED: () => errorCodeOf(connectHarness().client.call('reset.wipe', { scope: 'logs', confirm: false })),
  RESET_PIN_REQUIRED: async () => {
    const { client } = connectHarness({ device: createFakeDevice({ lock: { pin: '4711' } }) });
    await client.call('lock.unlock', { pin: '4711' });
    return errorCodeOf(client.call('reset.wipe', { scope: 'everything', confirm: true }));
  },
  RESET_IN_PROGRESS: async () => {
    const { client } = connectHarness();
    await client.call('reset.wipe', { scope: 'logs', confirm: true });
    return errorCodeOf(client.call('reset.wipe', { scope: 'networks', confirm: true }));
  },
  RESET_SCOPE_OPERATOR_ONLY: () => errorCodeOf(connectHarness().client.call('reset.wipe', { scope: 'decommission', confirm: true })),
  DECOMMISSION_NOT_CONFIGURED: () => errorCodeOf(connectHarness().client.call('reset.decommission', { confirm: true, authorization: '{}' })),
  DECOMMISSION_AUTHORIZATION_INVALID: () =>
    thrownCode(() =>
      checkDecommissionAuthorization('{"authorization": {}}', {
        operatorKey: new Uint8Array(32),
        deviceId: 'dev-1',
        identityKey: 'AAAA',
        now: new Date(),
        verify: () => true,
      }),
    ),
  SANITIZATION_RECORD_MALFORMED: () => thrownCode(() => checkSanitizationRecord('{"record": {}}', () => true)),
  RECOVERY_NO_SYSTEM_AVAILABLE: async () => {
    // The call starts network recovery; the repository's answer (no full system at or above the floor) is its failed state.
    const device = createFakeDevice({ mode: 'recovery' });
    device.recovery.world.repository = [];
    const { client } = connectHarness({ device });
    const failed = new Promise<string>((resolve) =>
      client.subscribe('recovery.installChanged', (state) => state.status === 'failed' && resolve(state.error.code)),
    );
    await client.call('recovery.installFromNetwork');
    return (await failed) as ErrorCode;
  },
  RECOVERY_NO_STICK: () => {
    const device = createFakeDevice({ mode: 'recovery' });
    device.recovery.world.stick = undefined;
    return errorCodeOf(connectHarness({ device }).client.call('recovery.installFromUsb'));
  },
  RECOVERY_NO_BUNDLE_ON_STICK: () =>
    errorCodeOf(connectHarness({ device: createFakeDevice({ mode: 'recovery' }) }).client.call('recovery.installFromUsb')),
  RECOVERY_SEVERAL_BUNDLES_ON_STICK: () => {
    const device = createFakeDevice({ mode: 'recovery' });
    device.recovery.world.stick = ['headset-1.2.0.hcb', 'headset-1.3.0.hcb'];
    return errorCodeOf(connectHarness({ device }).client.call('recovery.installFromUsb'));
  },
  SANITIZATION_RECORD_FORGED: () => thrownCode(() => checkSanitizationRecord(JSON.stringify(sampleSanitizationRecord()), () => false)),
  // Backup codes: each from the real check that raises it (src/backup), on the input that triggers it;
  // resticFailure is fed restic 0.14's own messages. The restic-backed tests raise each for real.
  BACKUP_PASSPHRASE_TOO_SHORT: () => thrownCode(() => checkNewPassphrase('short')),
  BACKUP_WRONG_PASSPHRASE: () =>
    thrownCode(() => {
      throw resticFailure(1, 'Fatal: wrong password or no key found');
    }),
  BACKUP_DESTINATION_MISSING: () => thrownCode(() => requirePresent('usb', undefined)),
  BACKUP_DESTINATION_GONE: () => thrownCode(() => checkStillThere('usb', false)),
  BACKUP_DESTINATION_FULL: () =>
    thrownCode(() => {
      throw resticFailure(1, 'Fatal: unable to save snapshot: write /media/stick/headset-backup/data/2f/2fe4-tmp: no space left on device');
    }),
  BACKUP_DESTINATION_UNREACHABLE: () =>
    thrownCode(() => {
      throw resticFailure(
        1,
        'Fatal: unable to open repository at rest:http://127.0.0.1:1/x: Head "http://127.0.0.1:1/x/config": dial tcp 127.0.0.1:1: connect: connection refused',
      );
    }),
  BACKUP_NO_REPOSITORY: () =>
    thrownCode(() => {
      throw resticFailure(
        1,
        'Fatal: unable to open config file: stat /media/stick/headset-backup/config: no such file or directory\nIs there a repository at the following location?',
      );
    }),
  BACKUP_REPOSITORY_DAMAGED: () =>
    thrownCode(() => {
      throw verificationFailure({ result: 'damaged', damagedFiles: ['/apps/game/save.bin'] });
    }),
  BACKUP_SAMPLE_MISMATCH: () =>
    thrownCode(() => {
      throw verificationFailure({ result: 'mismatch', damagedFiles: ['/profile/settings.json'] });
    }),
  BACKUP_NOT_FOUND: () =>
    thrownCode(() => {
      throw resticFailure(1, 'Fatal: invalid id "deadbeef": no matching ID found for prefix "deadbeef"');
    }),
  BACKUP_NOT_A_HEADSET_BACKUP: () => thrownCode(() => checkRestorable(manifestFromTags(['laptop']), { model: 'HX-1' })),
  BACKUP_OTHER_MODEL: () => thrownCode(() => checkRestorable({ schema: 1, model: 'HX-2', appVersion: '1.0.0', classes: [] }, { model: 'HX-1' })),
  BACKUP_NEWER_SCHEMA: () => thrownCode(() => checkRestorable({ schema: 99, model: 'HX-1', appVersion: '9.0.0', classes: [] }, { model: 'HX-1' })),
  BACKUP_UNKNOWN_CLASS: () => thrownCode(() => selectClasses(['nope'], [{ id: 'profile', backedUpByDefault: true }])),
  BACKUP_CLASS_NOT_IN_BACKUP: () => thrownCode(() => selectClasses(['logs'], [{ id: 'logs', backedUpByDefault: false }], ['profile'])),
  BACKUP_NOTHING_SELECTED: () => thrownCode(() => selectClasses([], [{ id: 'profile', backedUpByDefault: true }])),
  BACKUP_IN_PROGRESS: () => thrownCode(() => assertIdle(true)),
  BACKUP_RESTORE_NO_SPACE: () => thrownCode(() => checkRestoreRoom(2_000_000, 1_000)),
  BACKUP_TOOL_FAILED: () =>
    thrownCode(() => {
      throw resticFailure(1, 'Fatal: something restic had never said before');
    }),
  SUPPORT_NOT_CONFIGURED: () =>
    errorCodeOf(connectHarness({ device: createFakeDevice({ support: { configured: false } }) }).client.call('support.start', {})),
  SUPPORT_ALREADY_ACTIVE: async () => {
    const { client } = connectHarness();
    await client.call('support.start', { durationMinutes: 1 });
    const code = await errorCodeOf(client.call('support.start', {}));
    await client.call('support.stop');
    return code;
  },
  SUPPORT_DURATION_OUT_OF_RANGE: () => errorCodeOf(connectHarness().client.call('support.start', { durationMinutes: 24 * 60 + 1 })),
  SUPPORT_UNAVAILABLE: () =>
    errorCodeOf(
      connectHarness({ device: createFakeDevice({ support: { missing: ['the OpenSSH server (/usr/sbin/sshd)'] } }) }).client.call(
        'support.start',
        {},
      ),
    ),
  NETWORK_SSID_INVALID: () => errorCodeOf(connectHarness().client.call('network.connect', { ssid: 'é'.repeat(17) })),
  NETWORK_PASSWORD_INVALID: () => errorCodeOf(connectHarness().client.call('network.connect', { ssid: 'Home', password: 'short' })),
  NETWORK_PASSWORD_REQUIRED: () => errorCodeOf(connectHarness().client.call('network.connect', { ssid: 'Home' })),
  NETWORK_WRONG_PASSWORD: () => errorCodeOf(connectHarness().client.call('network.connect', { ssid: 'Home', password: 'wrong horse' })),
  NETWORK_NOT_FOUND: () => errorCodeOf(connectHarness().client.call('network.connect', { ssid: 'Nowhere' })),
  NETWORK_VANISHED: () => {
    // The access point goes while the headset associates with it.
    const device = createFakeDevice({ network: { duringJoin: () => void (device.network.world.air = []) } });
    return errorCodeOf(connectHarness({ device }).client.call('network.connect', { ssid: 'Home', password: 'correct horse' }));
  },
  NETWORK_SECURITY_UNSUPPORTED: () => errorCodeOf(connectHarness().client.call('network.connect', { ssid: 'Office' })),
  // A hidden network joined as secured that is open on the air: the association fails.
  NETWORK_CONNECT_FAILED: () =>
    errorCodeOf(
      connectHarness().client.call('network.connect', { ssid: 'Café: free', hidden: true, security: 'wpa2-personal', password: 'whatever1' }),
    ),
  NETWORK_HOTSPOT_MODE: () =>
    errorCodeOf(
      connectHarness({ device: createFakeDevice({ network: { latch: 'hotspot' } }) }).client.call('network.connect', {
        ssid: 'Home',
        password: 'correct horse',
      }),
    ),
  NETWORK_NOT_HOTSPOT: () => errorCodeOf(connectHarness().client.call('network.hotspotPassword')),
  NETWORK_UNKNOWN_PROFILE: () => errorCodeOf(connectHarness().client.call('network.forget', { id: 'no-such-profile' })),
  // The nmcli adapter's mapping of a run that failed (the adapter's own tests run the real tool).
  NETWORK_TOOL_MISSING: () =>
    thrownCode(() => {
      throw nmcliError({ spawnError: 'ENOENT', exitCode: null, stderr: '' }, 'NETWORK_NOT_FOUND');
    }),
  NETWORK_TOOL_FAILED: () =>
    thrownCode(() => {
      throw nmcliError({ exitCode: 8, stderr: 'Error: NetworkManager is not running.' }, 'NETWORK_NOT_FOUND');
    }),
  LICENSE_INVALID: () => errorCodeOf(connectHarness().client.call('license.install', { text: 'garbage' })),
  LICENSE_SIGNATURE_INVALID: () => {
    const text = fakeLicenseFile(sampleLicense()).replace('Example Clinic', 'Example Clinix');
    return errorCodeOf(connectHarness().client.call('license.install', { text }));
  },
  LICENSE_OTHER_HEADSET: () => {
    const text = fakeLicenseFile(sampleLicense({ binding: { kind: 'device', deviceId: 'another-headset' } }));
    return errorCodeOf(connectHarness().client.call('license.install', { text }));
  },
  LICENSE_EXPIRED: () => {
    const text = fakeLicenseFile(sampleLicense({ expiresAt: '2026-06-01T00:00:00Z', graceDays: 7 }));
    return errorCodeOf(connectHarness().client.call('license.install', { text }));
  },
  LICENSE_REVOKED: async () => {
    const h = connectHarness();
    h.device.license.world.served = fakeRevocationList({ version: 1, issuedAt: '2026-11-30T00:00:00Z', serials: ['HC-0001'] });
    await h.client.call('license.refreshRevocations');
    return errorCodeOf(h.client.call('license.install', { text: fakeLicenseFile(sampleLicense()) }));
  },
  LICENSE_NOT_FOUND: () => errorCodeOf(connectHarness().client.call('license.installFromUsb')),
  LICENSE_KEY_MISSING: () => {
    const h = connectHarness();
    h.device.license.world.vendorKey = false;
    return errorCodeOf(h.client.call('license.install', { text: fakeLicenseFile(sampleLicense()) }));
  },
  LICENSE_REVOCATIONS_INVALID: () => {
    const h = connectHarness();
    h.device.license.world.served = '{"format":"hc-revocations-v1"}';
    return errorCodeOf(h.client.call('license.refreshRevocations'));
  },
  LICENSE_REVOCATIONS_OLDER: async () => {
    const h = connectHarness();
    h.device.license.world.served = fakeRevocationList({ version: 5, issuedAt: '2026-11-30T00:00:00Z', serials: [] });
    await h.client.call('license.refreshRevocations');
    h.device.license.world.served = fakeRevocationList({ version: 4, issuedAt: '2026-11-29T00:00:00Z', serials: [] });
    return errorCodeOf(h.client.call('license.refreshRevocations'));
  },
  LICENSE_REVOCATIONS_UNAVAILABLE: () => errorCodeOf(connectHarness().client.call('license.refreshRevocations')),
  TRACK_NOT_FOUND: () => thrownCode(() => requireTrack(undefined, 'gone')),
  TRACK_NAME_TAKEN: () => thrownCode(() => checkTrackName(' hollowmere ', [{ id: 'a', name: 'Hollowmere' }], 'b')),
  TRACK_SESSION_NOT_FOUND: () => thrownCode(() => requireSession(undefined, 'gone')),
  TRACK_SESSION_LIVE: () => thrownCode(() => checkSessionEnded(true, 'now')),
  PROFILE_WRITE_FAILED: async () => {
    const store = new WearerProfileStore({
      read: async () => null,
      write: async () => {
        throw new Error('ENOSPC: no space left on device');
      },
    });
    return ((await store.set({ wearerName: 'Ada' }).catch((e: unknown) => e)) as AppError).code;
  },
  REGISTRATION_NOT_CONFIGURED: () => errorCodeOf(connectHarness().client.call('registration.checkNow')),
  // The reasons a `retrying` registration state carries: never a call's failure (src/registration/).
  FLEET_UNREACHABLE: async () => unreachable('ECONNREFUSED').code as ErrorCode,
  FLEET_ANSWER_INVALID: async () => problemOfAnswer(502, '<html>Bad gateway</html>').code as ErrorCode,
  INTERNAL: () =>
    errorCodeOf(
      connectHarness({
        device: createFakeDevice({
          overrides: {
            'system.info': () => {
              throw new Error('boom');
            },
          },
        }),
      }).client.call('system.info'),
    ),
};

/** The code a synchronous check throws; a check that passes is a test failure. */
async function thrownCode(check: () => unknown): Promise<ErrorCode> {
  try {
    check();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  throw new Error('Expected the check to fail, but it passed.');
}

function headerClaiming(manifestLength: number): Uint8Array {
  const header = encodeBundleHeader({ formatVersion: 1, manifestLength: 1 });
  new DataView(header.buffer).setUint32(12, manifestLength);
  return header;
}

const signatureBlock = { keyId: new Uint8Array(32).fill(0x11), signature: new Uint8Array(64) };
const manifestBytes = new TextEncoder().encode('{}');
const sampleManifest: BundleManifest = {
  format: 1,
  version: '1.0.0',
  compatible: 'test-headset',
  requires: [],
  notes: '',
  created: '2025-01-01T00:00:00Z',
  images: [
    {
      name: 'rootfs',
      slot: 'rootfs',
      compression: 'zstd',
      compressed: { length: 10, sha256: '00'.repeat(32) },
      uncompressed: { length: 20, sha256: '00'.repeat(32) },
      offset: 412,
    },
  ],
};

const sampleDeltaImage: DeltaImage = {
  ...sampleManifest.images[0]!,
  delta: { fromVersion: '0.9.0', sourceLength: 20, sourceSha256: '00'.repeat(32) },
};

/** The body of a code's section in docs/errors.md (from its heading to the next one). */
function docSection(code: ErrorCode): string | undefined {
  const match = new RegExp(`^### ${code}\\s*$([\\s\\S]*?)(?=^##|(?![\\s\\S]))`, 'm').exec(errorsDoc);
  return match?.[1];
}

/** docs/errors.md's area sections (`## title`), in order, each with its body up to the next one. */
function docAreaSections(): { title: string; body: string }[] {
  return [...errorsDoc.matchAll(/^## (.+?)\s*$([\s\S]*?)(?=^## |(?![\s\S]))/gm)].map((m) => ({ title: m[1]!, body: m[2]! }));
}

const codeHeadings = (text: string) => [...text.matchAll(/^### ([A-Z][A-Z_]+)\s*$/gm)].map((m) => m[1]);
const tableRows = (text: string) => [...text.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);

describe('error catalogue', () => {
  it.each(ERROR_CODES)('%s is reachable (through the router and the client, or the check that raises it)', async (code) => {
    expect(await scenarios[code]()).toBe(code);
  });

  it.each(ERROR_CODES)("%s is documented in docs/errors.md with the catalogue's wording", (code) => {
    const section = docSection(code);
    expect(section, `docs/errors.md has no "## ${code}" section`).toBeDefined();
    expect(section).toContain(`**Meaning:** ${ERROR_CATALOGUE[code]}`);
    for (const part of ['**When:**', '**What to do:**', '**Retryable:**']) expect(section).toContain(part);
    expect(errorsDoc).toMatch(new RegExp(`^\\| \`${code}\` \\| ${escapeRegExp(ERROR_CATALOGUE[code])} \\|`, 'm'));
  });

  it('docs/errors.md documents no code outside the catalogue', () => {
    expect(new Set(codeHeadings(errorsDoc))).toEqual(new Set(ERROR_CODES));
    expect(new Set(tableRows(errorsDoc))).toEqual(new Set(ERROR_CODES));
  });

  it('the areas split the catalogue: each code is in exactly one', () => {
    const areaCodes = Object.values(ERROR_AREAS).flatMap((area) => Object.keys(area.codes));
    expect(areaCodes.length).toBe(new Set(areaCodes).size);
    expect(new Set(areaCodes)).toEqual(new Set(ERROR_CODES));
  });

  it("docs/errors.md has one section per area, in order, each documenting exactly that area's codes", () => {
    const sections = docAreaSections();
    expect(sections.map((s) => s.title)).toEqual(Object.values(ERROR_AREAS).map((area) => area.title));
    for (const [i, area] of Object.values(ERROR_AREAS).entries()) {
      const body = sections[i]!.body;
      expect(codeHeadings(body), `codes under "## ${area.title}"`).toEqual(Object.keys(area.codes));
      expect(tableRows(body), `summary table under "## ${area.title}"`).toEqual(Object.keys(area.codes));
    }
  });

  it('no device API call declares an operator-only code, and none is generic', () => {
    expect(OPERATOR_ONLY_CODES.size).toBeGreaterThan(0);
    for (const [name, spec] of Object.entries(apiCalls)) {
      for (const code of spec.errors) expect(OPERATOR_ONLY_CODES.has(code), `${name} declares ${code}`).toBe(false);
    }
    for (const code of GENERIC_ERROR_CODES) expect(OPERATOR_ONLY_CODES.has(code), code).toBe(false);
  });

  it('every error a call declares is in the catalogue', () => {
    for (const [name, spec] of Object.entries(apiCalls)) {
      for (const code of spec.errors) expect(isErrorCode(code), `${name} declares ${code}`).toBe(true);
    }
  });

  it('the generic codes are a subset of the catalogue', () => {
    for (const code of GENERIC_ERROR_CODES) expect(isErrorCode(code), code).toBe(true);
    expect(new Set(GENERIC_ERROR_CODES).size).toBe(GENERIC_ERROR_CODES.length);
  });

  it('isErrorCode accepts exactly the catalogue', () => {
    for (const code of ERROR_CODES) expect(isErrorCode(code)).toBe(true);
    for (const other of ['', 'internal', 'toString', '__proto__', 'hasOwnProperty', 42, null, undefined]) expect(isErrorCode(other)).toBe(false);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const device: DeviceFacts = { model: 'HC-1', installedVersion: '1.0.0', partitions: { rootfs: 1 << 20 } };

function installableManifest(): BundleManifest {
  const digest = { length: 1000, sha256: 'c'.repeat(64) };
  return {
    format: 1,
    version: '1.1.0',
    compatible: 'HC-1',
    requires: [],
    notes: '',
    created: '2026-01-01T00:00:00Z',
    images: [{ name: 'rootfs', slot: 'rootfs', compression: 'zstd', compressed: digest, uncompressed: digest, offset: 200 }],
  };
}
