import { AppError } from '../../src/api/errors.js';
import { StateChannel } from '../../src/api/stateChannel.js';
import type { ResetState } from '../../src/api/contract/reset.js';
import type { ResetPort } from '../../src/reset/resetHandlers.js';
import type { WipeScope } from '../../src/reset/wipeScopes.js';
import { SANITIZATION_FORMAT, type SignedSanitizationRecord } from '../../src/reset/sanitizationRecord.js';

/**
 * The fake device's reset: the real calls (src/reset/resetHandlers.ts) over a wipe in memory that
 * goes through its phases when `finish()` is called (so a test can see it under way), with a plan
 * of a few classes; the registry and the real wipe are main/services/userData/.
 */
export function createFakeReset() {
  const state = new StateChannel<ResetState>({ status: 'idle', last: null });
  const classes = {
    networks: { id: 'networks', title: 'Saved networks', holds: 'Wi-Fi networks and their passwords.' },
    profile: { id: 'profile', title: 'Profile and preferences', holds: "The wearer's profile and settings." },
    logs: { id: 'logs', title: 'Logs and crash records', holds: "The headset's logs and crash records." },
    backups: { id: 'backups', title: 'Backups kept on the headset', holds: 'Encrypted backups on the headset.' },
    calibration: { id: 'calibration', title: 'Calibration', holds: "The factory's calibration." },
  };
  const erases: Record<WipeScope, Array<keyof typeof classes>> = {
    everything: ['networks', 'profile', 'logs', 'backups'],
    networks: ['networks'],
    wearer: ['profile'],
    logs: ['logs'],
    backups: ['backups'],
    decommission: ['networks', 'profile', 'logs', 'backups'],
  };
  let pending: WipeScope | undefined;
  const port: ResetPort = {
    state,
    busy: () => pending !== undefined,
    plan: (scope) => ({
      scope,
      erases: erases[scope].map((id) => classes[id]),
      keeps: (Object.keys(classes) as Array<keyof typeof classes>).filter((id) => !erases[scope].includes(id)).map((id) => classes[id]),
      restarts: true,
      setupAfter: scope === 'everything',
    }),
    async begin(scope) {
      pending = scope;
      state.set({ status: 'wiping', scope, phase: 'destroying-keys', startedAt: new Date().toISOString() });
    },
    records: async () => [],
    // The fake device has no operator key: the real check is main/services/reset/, tested through headsetd.
    authorizeDecommission: async () => {
      throw new AppError('DECOMMISSION_NOT_CONFIGURED');
    },
    configure: async ({ keepPin, keepAccounts }) => ({
      restored: [{ id: 'update-settings', title: 'Update preferences', to: 'default' }],
      pin: keepPin ? 'kept' : 'removed',
      accounts: keepAccounts ? 'kept' : 'removed',
      network: { result: 'not-available', why: 'the fake device has no network stack' },
      calibration: { before: null, after: null, unchanged: true },
    }),
    hardware: async ({ recalibrateImu }) => ({
      peripherals: [{ id: 'imu', title: 'Motion sensor (IMU)', reached: 'verified', ok: true, detail: 'answers' }],
      imu: recalibrateImu
        ? { result: 'stored', bias: { gyroBias: [0, 0, 0], at: new Date(0).toISOString(), samples: 200 }, previous: null }
        : { result: 'skipped' },
      ok: true,
      startedAt: new Date(0).toISOString(),
      finishedAt: new Date(0).toISOString(),
    }),
  };
  return {
    port,
    channel: state,
    /** Ends the wipe under way, as the restart after it would. */
    finish() {
      if (!pending) return;
      state.set({
        status: 'idle',
        last: { recordId: '00000000-0000-4000-8000-000000000000', scopes: [pending], verification: 'passed', finishedAt: new Date().toISOString() },
      });
      pending = undefined;
    },
  };
}

/** A well-formed signed sanitization record (its signature made by no real key). */
export function sampleSanitizationRecord(): SignedSanitizationRecord {
  return {
    record: {
      format: SANITIZATION_FORMAT,
      id: '00000000-0000-4000-8000-000000000000',
      deviceId: 'dev-1',
      model: 'HC-1',
      scopes: ['everything'],
      classes: [],
      kept: [],
      overwritePasses: 1,
      overwriteReason: null,
      checks: [],
      verification: 'passed',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
      software: { appVersion: '1.0.0', commit: 'abc' },
      publicKey: btoa(String.fromCharCode(...new Uint8Array(32).fill(7))),
    },
    signature: btoa(String.fromCharCode(...new Uint8Array(64).fill(9))),
  };
}
