import type { RecoveryInstallState, RecoverySource } from '../../../src/api/contract.js';
import { formatBytes } from '../design/format.js';

/** What a recovery install is doing, in the wearer's words, for the action that started it. */
export function recoveryInstallHint(state: RecoveryInstallState, source: RecoverySource): string | undefined {
  if (state.status === 'idle' || ('source' in state && state.source !== source)) return undefined;
  switch (state.status) {
    case 'checking':
      return 'Asking the update server for the newest system…';
    case 'downloading':
      return `Downloading ${state.version}: ${formatBytes(state.bytes)} of ${formatBytes(state.total)}`;
    case 'installing':
      return `${state.version ? `Installing ${state.version}` : 'Checking the signature and installing'} into slot ${state.slot}${
        state.total > 0 ? `: ${Math.floor((100 * state.bytes) / state.total)}%` : '…'
      }`;
    case 'installed':
      return `Installed ${state.version} into slot ${state.slot}. Choose Restart to start it.`;
    case 'failed':
      return failureWords(state.error);
  }
}

/** The codes a wearer meets here, said plainly; anything else keeps the service's own sentence. */
function failureWords(error: { code: string; message: string }): string {
  switch (error.code) {
    case 'RECOVERY_NO_STICK':
      return 'No USB stick found. Plug in the stick with the system on it and press again.';
    case 'RECOVERY_NO_BUNDLE_ON_STICK':
      return 'The USB stick holds no system (.hcb file). Nothing was changed.';
    case 'RECOVERY_SEVERAL_BUNDLES_ON_STICK':
      return 'The USB stick holds more than one system. Leave only the one to install.';
    case 'RECOVERY_NO_SYSTEM_AVAILABLE':
      return 'The update server has no system for this headset at or above the installed version. Nothing was changed.';
    case 'UPDATE_NOT_CONFIGURED':
      return 'No update server is set up on this headset. Use a USB stick instead.';
    case 'UPDATE_CHECK_FAILED':
      return 'The update server could not be reached or was not trusted. Check the network and press again.';
    case 'UPDATE_NOT_NEWER':
      return 'That system is older than the one installed, so it was refused. Nothing was changed.';
    case 'BUNDLE_UNTRUSTED_KEY':
    case 'BUNDLE_BAD_SIGNATURE':
    case 'BUNDLE_PAYLOAD_MISMATCH':
    case 'BUNDLE_BAD_LAYOUT':
    case 'BUNDLE_TRAILING_DATA':
    case 'BUNDLE_TRUNCATED':
    case 'BUNDLE_MALFORMED':
      return 'That file is damaged or not signed for this headset, so it was refused. Nothing was changed.';
    default:
      return `${error.message} Nothing was switched.`;
  }
}

/** Whether an install is under way (every other way out waits for it). */
export function recoveryInstallRunning(state: RecoveryInstallState): boolean {
  return state.status === 'checking' || state.status === 'downloading' || state.status === 'installing';
}
