import type { Problem } from './useAction.js';

/**
 * Why going back to a kept version did not happen, in words a wearer can act on. The code is shown
 * once under it, small, for support; the service's own message only when we have no words of our own.
 */
export function rollbackProblemText(problem: Problem, version: string): string {
  switch (problem.code) {
    case 'UPDATE_ROLLBACK_NOT_ALLOWED':
      return `The update server no longer offers ${version} (the maker withdrew it), so the headset will not go back to it. Nothing was changed.`;
    case 'UPDATE_CHECK_FAILED':
      return `The headset could not ask the update server whether ${version} is still allowed. Connect to a network and try again. Nothing was changed.`;
    case 'UPDATE_NOT_CONFIGURED':
      return `Going back to a kept version needs the update server, and none is configured. Nothing was changed.`;
    case 'UPDATE_IN_PROGRESS':
      return 'Another update step is running. Wait until it ends, then try again.';
    case 'UPDATE_NOTHING_TO_DO':
      return `The headset no longer keeps a copy of ${version}.`;
    case 'BUNDLE_UNTRUSTED_KEY':
    case 'BUNDLE_BAD_SIGNATURE':
    case 'BUNDLE_PAYLOAD_MISMATCH':
    case 'BUNDLE_TRUNCATED':
      return `The kept copy of ${version} is damaged or not signed by a trusted key, so it was not installed. The running system was not touched.`;
    case 'SLOT_VERIFY_FAILED':
      return `The reinstalled ${version} did not read back correctly, so the headset stays on the running system.`;
    case 'UPDATE_INCOMPATIBLE':
      return `${version} is not made for this headset.`;
    case 'UPDATE_TOO_LARGE':
      return `${version} does not fit in the other slot.`;
    case 'UPDATE_REQUIREMENT_UNMET':
      return `${version} needs other parts of the headset (such as its firmware) at versions this headset does not have now, so it was not installed.`;
    case 'UPDATE_NO_BOOT_SPACE':
      return `There is not enough room in the boot partition for ${version}'s boot files. Nothing was changed.`;
    case 'UPDATE_SERVICE_STOP_FAILED':
      return `A service that must stop before ${version} is written would not stop, so the headset stays on the running system. Try again after a restart.`;
    case 'NOT_SUPPORTED':
      return 'This headset cannot restart itself from here.';
    default:
      return `Going back to ${version} failed: ${problem.message}`;
  }
}
