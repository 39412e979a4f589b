import { readFile } from 'node:fs/promises';
import sodium from 'sodium-native';
import { checkDecommissionAuthorization } from '../../../src/reset/decommissionAuthorization.js';
import { parsePublicKeyFile } from '../../../src/update/keys.js';
import { AppError } from '../../../src/api/errors.js';
import { join } from 'node:path';
import type { resetCalls, resetEvents } from '../../../src/api/contract/reset.js';
import { resetHandlers, type PinConfirmation, type ResetPort } from '../../../src/reset/resetHandlers.js';
import { signedSanitizationRecordSchema } from '../../../src/reset/sanitizationRecord.js';
import type { WipeScope } from '../../../src/reset/wipeScopes.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { IdentitySigning } from '../identity/identityCapability.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { BuildInfo } from '../system/buildInfo.js';
import { ClassKeys } from '../userData/ClassKeys.js';
import { SanitizationRecords } from '../userData/SanitizationRecords.js';
import { SecureWipe, type ClassKeyEraser } from '../userData/SecureWipe.js';
import {
  USER_DATA_CLASSES,
  classesErasedBy,
  resolveUserDataClass,
  userDataClass,
  type UserDataClass,
  type UserDataRoots,
} from '../userData/userDataClasses.js';
import { ConfigurationReset, type NetworkSettingsReset } from './ConfigurationReset.js';
import { ConfigurationResetJournal, ConfigurationResetTransaction } from './ConfigurationResetTransaction.js';
import { HardwareReset } from './hardware/HardwareReset.js';
import { ImuRecalibration } from './hardware/ImuRecalibration.js';
import type { ImuSource, Peripheral } from './hardware/ports.js';
import { ResetJournal } from './ResetJournal.js';
import { ResetTransaction } from './ResetTransaction.js';

export interface ResetNeeds {
  roots: UserDataRoots;
  identity: IdentitySigning;
  model: string;
  build: BuildInfo;
  lock: PinConfirmation;
  /** What ends a wipe: the restart that brings every service up on the erased data (a reboot; headsetd's orderly stop on the simulated headset, whose in-process power cycle keeps the services' memory). */
  restart(): Promise<void>;
  /** Stops the other services that write user data before a wipe erases anything (the host's; see ResetTransactionOptions). */
  quiesce?(): Promise<void>;
  /** The data partition's own erasure and check (linux: LUKS2 keyslots on decommissioning). */
  deviceErase?: (scope: WipeScope) => Promise<Array<{ name: string; passed: boolean; detail: string }>>;
  /** How the profile destroys a class's key (linux: its fscrypt policy); without it, the key file. */
  classEraser?: (keys: ClassKeys, roots: UserDataRoots) => ClassKeyEraser;
  /** The device's peripherals and IMU for a hardware reset (the profile's); without them reset.hardware is NOT_SUPPORTED. */
  hardware?: { peripherals: Peripheral[]; imu: ImuSource };
  /** The network capability's reset to defaults (saved profiles in its own stack); without it a configuration reset says so. */
  network?: NetworkSettingsReset;
  /** The image's trust folder: `decommission.pub`, the operator's key that authorizes decommissioning. */
  trustDir?: string;
  log: SubsystemLogger;
}

/** The operator's decommissioning public key in the trust folder (`headsetctl decommission keygen` makes it). */
export const DECOMMISSION_KEY_FILE = 'decommission.pub';

/** Where the reset keeps its journal and the signed sanitization records: the persist partition. */
export const resetDir = (roots: UserDataRoots) => join(roots.persist, 'reset');
export const sanitizationRecordsDir = (roots: UserDataRoots) => join(resetDir(roots), 'records');

/**
 * Secure wipe and factory reset (reset.status, plan, wipe, records; reset.changed): the journaled
 * ResetTransaction over the user-data registry, resumed at start when a power cut interrupted it.
 */
export function resetCapability(needs: ResetNeeds): Capability<{ reset: ResetPort; records: SanitizationRecords }> {
  const records = new SanitizationRecords(sanitizationRecordsDir(needs.roots));
  const keys = new ClassKeys(needs.roots);
  const wipe = new SecureWipe(needs.roots, keys, needs.classEraser?.(keys, needs.roots));
  const configuration = new ConfigurationReset({
    stateDir: needs.roots.state,
    calibrationDir: resolveUserDataClass(userDataClass('calibration'), needs.roots)[0]!.path,
    eraseClasses: async (ids) => {
      const classes = ids.map((id) => userDataClass(id));
      await wipe.destroyKeys(classes);
      await wipe.erase(classes);
    },
    network: needs.network,
    log: needs.log,
  });
  const calibrationDir = resolveUserDataClass(userDataClass('calibration'), needs.roots)[0]!.path;
  const hardware =
    needs.hardware && new HardwareReset(needs.hardware.peripherals, new ImuRecalibration(calibrationDir, needs.hardware.imu), needs.log);
  // reset.configure, journaled beside the wipe: it stops the other services first too (they hold settings in memory and write them back).
  const configure = new ConfigurationResetTransaction({
    reset: configuration,
    journal: new ConfigurationResetJournal(resetDir(needs.roots)),
    quiesce: needs.quiesce && (() => needs.quiesce!()),
    restart: () => needs.restart(),
    log: needs.log,
  });
  let configuring = false;
  const transaction = new ResetTransaction({
    roots: needs.roots,
    wipe,
    configuration,
    hardware,
    journal: new ResetJournal(resetDir(needs.roots)),
    records,
    identity: {
      get deviceId() {
        return needs.identity.get().deviceId;
      },
      get publicKey() {
        return needs.identity.get().publicKey;
      },
      model: needs.model,
      sign: (message) => needs.identity.sign(message),
    },
    software: { appVersion: needs.build.version, commit: needs.build.commit },
    restart: () => needs.restart(),
    quiesce: needs.quiesce && (() => needs.quiesce!()),
    deviceErase: needs.deviceErase,
    log: needs.log,
  });
  const summary = (c: UserDataClass) => ({ id: c.id, title: c.title, holds: c.holds });
  const port: ResetPort = {
    state: transaction.state,
    busy: () => transaction.busy || configure.busy || configuring,
    plan: (scope: WipeScope) => {
      const erased = classesErasedBy(scope);
      return {
        scope,
        erases: erased.map(summary),
        keeps: USER_DATA_CLASSES.filter((c) => !erased.some((e) => e.id === c.id)).map(summary),
        restarts: true,
        setupAfter: erased.some((c) => c.id === 'setup'),
      };
    },
    async begin(scope, overwritePasses) {
      needs.log.info('wipe confirmed', { scope, overwritePasses: overwritePasses ?? 1 });
      const { done } = await transaction.begin(scope, { overwritePasses });
      // Failures are in the state (`failed`) and the log; the journal resumes it at the next start.
      done.catch(() => undefined);
    },
    async configure(choices) {
      configuring = true;
      try {
        const report = await configure.begin(choices);
        // The services hold the old settings in memory: the restart brings them up on the defaults, once the answer is out.
        setTimeout(
          () =>
            void needs.restart().catch((error: Error) => needs.log.error('restart after the configuration reset failed', { error: error.message })),
          200,
        );
        return report;
      } catch (error) {
        configuring = false;
        throw error;
      }
    },
    async hardware({ recalibrateImu }) {
      if (!hardware) throw new AppError('NOT_SUPPORTED', 'This headset has no hardware reset adapter yet.', { adapter: 'hardware' });
      configuring = true;
      try {
        return await hardware.run({ recalibrateImu });
      } finally {
        configuring = false;
      }
    },
    async authorizeDecommission(text) {
      let operatorKey: Uint8Array;
      try {
        if (!needs.trustDir) throw new Error('no trust folder');
        operatorKey = parsePublicKeyFile(await readFile(join(needs.trustDir, DECOMMISSION_KEY_FILE), 'utf8'), DECOMMISSION_KEY_FILE);
      } catch {
        throw new AppError('DECOMMISSION_NOT_CONFIGURED');
      }
      const { deviceId, publicKey } = needs.identity.get();
      const authorization = checkDecommissionAuthorization(text, {
        operatorKey,
        deviceId,
        identityKey: publicKey,
        now: new Date(),
        verify: (signature, message, key) => sodium.crypto_sign_verify_detached(Buffer.from(signature), Buffer.from(message), Buffer.from(key)),
      });
      needs.log.info('decommissioning authorized by the operator', { issuedAt: authorization.issuedAt, reason: authorization.reason ?? null });
    },
    records: async () => {
      const paths = (await records.list()).reverse();
      return Promise.all(paths.map(async (path) => signedSanitizationRecordSchema.parse(JSON.parse(await readFile(path, 'utf8')))));
    },
  };
  const handlers: HandlersOf<typeof resetCalls> = resetHandlers(port, needs.lock);
  const events: EventsOf<typeof resetEvents> = { 'reset.changed': transaction.state };
  return {
    provides: { reset: port, records },
    handlers,
    events,
    start: async () => {
      // A wipe cut short finishes before anything else of it runs; its restart brings the services up on the result.
      const { done } = await transaction.resume();
      done.catch((error: Error) => needs.log.error('resuming the reset failed', { error: error.message }));
      // A configuration reset cut short, likewise (never both: each refuses to begin while the other runs; a wipe first).
      if (transaction.busy) return;
      const configured = await configure.resume();
      configured.done.catch((error: Error) => needs.log.error('resuming the configuration reset failed', { error: error.message }));
    },
  };
}
