import type { PowerControl } from './PowerControl.js';

/** The answer comes before the restart or the power-off, which take the connection down with them. */
const ANSWER_FIRST_MS = 100;

/**
 * A restart the wearer asked for through the API: answered first (the restart takes the
 * connection down with it), carried out a moment later. Nobody awaits it: a failed restart leaves
 * the headset running, as the wearer sees; an unhandled rejection would end headsetd.
 */
export function restartOnRequest(power: PowerControl): { restarting: true } {
  setTimeout(() => power.reboot().catch(() => undefined), ANSWER_FIRST_MS);
  return { restarting: true };
}

/** Switching off at the wearer's request: answered first, as a restart is, then carried out. */
export function powerOffOnRequest(power: PowerControl): { poweringOff: true } {
  setTimeout(() => power.powerOff().catch(() => undefined), ANSWER_FIRST_MS);
  return { poweringOff: true };
}
