import type { SetupEntered, SetupProgress, SetupStep } from '../api/contract/setup.js';

export const EMPTY_ENTERED: SetupEntered = {
  locale: null,
  wearerName: null,
  networkSsid: null,
  restorePlace: null,
  restoreBackupId: null,
  restoreClasses: null,
};

export const FRESH_SETUP: SetupProgress = { step: 'language', outcomes: {}, entered: EMPTY_ENTERED, updatedAt: null };

/** One move of the wizard: the step it is on now, how the step left ended, what was entered. */
export interface SetupChange {
  step: SetupStep;
  outcome?: { step: SetupStep; result: 'done' | 'skipped' };
  entered?: Partial<SetupEntered>;
}

/** The journal after a change: `undefined` leaves an entered value as it was, `null` clears it. */
export function applySetupChange(before: SetupProgress, change: SetupChange, now: Date): SetupProgress {
  const entered = Object.fromEntries(Object.entries(change.entered ?? {}).filter(([, value]) => value !== undefined)) as Partial<SetupEntered>;
  return {
    step: change.step,
    outcomes: change.outcome ? { ...before.outcomes, [change.outcome.step]: change.outcome.result } : before.outcomes,
    entered: { ...before.entered, ...entered },
    updatedAt: now.toISOString(),
  };
}
