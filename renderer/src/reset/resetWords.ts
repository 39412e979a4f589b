import type { ResetState, WEARER_WIPE_SCOPES } from '../../../src/api/contract/reset.js';

export type WearerScope = (typeof WEARER_WIPE_SCOPES)[number];

/** Each scope as the wearer chooses it: a name and one line on what it is for. */
export const SCOPE_WORDS: Record<WearerScope, { name: string; about: string }> = {
  everything: { name: 'Everything (factory reset)', about: 'Erases all your data and settings; the headset starts again in the setup wizard.' },
  networks: { name: 'Saved networks', about: 'Forgets every Wi-Fi network and its password.' },
  wearer: { name: 'Your data', about: 'Erases your profile, PIN, privacy choices, app data and last position.' },
  logs: { name: 'Logs and diagnostics', about: 'Erases the logs, crash records, health history and telemetry not yet sent.' },
  backups: { name: 'Backups on the headset', about: 'Erases the backups kept on the headset itself (not those on a USB stick or in the cloud).' },
};

export const SCOPE_ORDER: readonly WearerScope[] = ['everything', 'networks', 'wearer', 'logs', 'backups'];

/** The scope's name for any scope a record or the state names (decommissioning is the operator's). */
export function scopeName(scope: string): string {
  return (SCOPE_WORDS as Record<string, { name: string }>)[scope]?.name ?? (scope === 'decommission' ? 'Decommissioning' : scope);
}

const PHASES: Record<Extract<ResetState, { status: 'wiping' }>['phase'], { words: string; step: number }> = {
  'destroying-keys': { words: 'Destroying the encryption keys', step: 1 },
  erasing: { words: 'Erasing the files', step: 2 },
  'restoring-defaults': { words: 'Restoring the defaults', step: 3 },
  verifying: { words: 'Checking that nothing is left', step: 4 },
  restarting: { words: 'Restarting the headset', step: 5 },
};
export const PHASE_COUNT = 5;

export function phaseWords(phase: keyof typeof PHASES): { words: string; step: number } {
  return PHASES[phase];
}
