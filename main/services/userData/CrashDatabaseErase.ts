import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { WipeScope } from '../../../src/reset/wipeScopes.js';
import { classesErasedBy } from './userDataClasses.js';

const run = promisify(execFile);

/** The oneshot unit shipped in native/systemd that empties Crashpad's database as the UI's own account. */
export const CRASH_DATABASE_ERASE_UNIT = 'headset-crashdumps-erase.service';

/** A check a wipe's profile-specific erasure adds to the sanitization record. */
export interface DeviceEraseCheck {
  name: string;
  passed: boolean;
  detail: string;
}
export type DeviceErase = (scope: WipeScope) => Promise<DeviceEraseCheck[]>;

/**
 * The UI's Crashpad database (settings.dat with its client id, dumps not yet handed over to the shared
 * folder) belongs to the logs class, but on linux it is the UI account's and owner-only: headsetd cannot
 * read or erase it. A wipe whose scope erases the logs class starts headset-crashdumps-erase.service
 * through systemctl (the same port as the support view's unit); `systemctl start` waits for a oneshot
 * and fails when it does, and the unit fails when anything is left, so the record's check is the unit's
 * own verdict. Idempotent: a wipe resumed after a power cut runs it again on an empty database.
 */
export function crashDatabaseErase(options: { systemctlPath: string; timeoutMs?: number }): DeviceErase {
  return async (scope) => {
    if (!classesErasedBy(scope).some((cls) => cls.id === 'logs')) return [];
    const name = "the UI's crash database erased";
    // A fixed argument list: the unit name cannot become an option.
    return run(options.systemctlPath, ['start', '--', CRASH_DATABASE_ERASE_UNIT], { timeout: options.timeoutMs ?? 120_000 }).then(
      () => [{ name, passed: true, detail: `${CRASH_DATABASE_ERASE_UNIT} left nothing in Crashpad's database` }],
      (error: { stderr?: string; message: string }) => [
        { name, passed: false, detail: `systemctl start ${CRASH_DATABASE_ERASE_UNIT}: ${error.stderr?.trim() || error.message}` },
      ],
    );
  };
}

/** Several profile erasures run one after the other, their checks in that order. */
export function allDeviceErases(...erases: DeviceErase[]): DeviceErase {
  return async (scope) => {
    const checks: DeviceEraseCheck[] = [];
    for (const erase of erases) checks.push(...(await erase(scope)));
    return checks;
  };
}
