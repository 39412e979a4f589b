import type { PowerControl } from './PowerControl.js';

/**
 * A restart the wearer asked for through the API: answered first (the restart takes the
 * connection down with it), carried out a moment later. Nobody awaits it: a failed restart leaves
 * the headset running, as the wearer sees; an unhandled rejection would end headsetd.
 */
export function restartOnRequest(power: PowerControl): { restarting: true } {
  setTimeout(() => power.reboot().catch(() => undefined), 100);
  return { restarting: true };
}
