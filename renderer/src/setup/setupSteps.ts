import { SETUP_STEPS, type SetupStep } from '../../../src/api/contract.js';

/** Each step's name on the step indicator, and where it is found again once setup is over. */
export const STEP_INFO: Record<SetupStep, { label: string; settings: string | null }> = {
  language: { label: 'Language', settings: 'Settings, You' },
  network: { label: 'Network', settings: 'Settings, Network' },
  account: { label: 'You', settings: 'Settings, You (the name) and Lock (the PIN)' },
  restore: { label: 'Restore', settings: 'Settings, Backup & reset' },
  privacy: { label: 'Privacy', settings: 'Settings, Privacy' },
  license: { label: 'Licence', settings: 'Settings, License' },
  update: { label: 'Updates', settings: 'Settings, Updates' },
  done: { label: 'Done', settings: null },
};

export function stepAfter(step: SetupStep): SetupStep {
  return SETUP_STEPS[Math.min(SETUP_STEPS.length - 1, SETUP_STEPS.indexOf(step) + 1)]!;
}

export function stepBefore(step: SetupStep): SetupStep | undefined {
  const at = SETUP_STEPS.indexOf(step);
  return at > 0 ? SETUP_STEPS[at - 1] : undefined;
}
