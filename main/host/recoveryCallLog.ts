import type { Mode, Scope } from '../../src/api/contract.js';

/** What the log needs: the `recovery` subsystem's info and warn. */
export interface RecoveryLogLines {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Everything the wearer does in the recovery kiosk goes to the log under `recovery`, whichever
 * capability serves it (a Wi-Fi join, a restore, an unlock): each answered call that is not a
 * read-only `status` one, by name and outcome. Never its input or output (a password, a PIN or a
 * passphrase travels in the input), so nothing secret can reach the line.
 */
export function recoveryCallLog(mode: () => Mode, log: RecoveryLogLines) {
  return (call: { name: string; scope: Scope; connection: string; outcome: string }): void => {
    if (call.scope === 'status' || mode() !== 'recovery') return;
    const fields = { call: call.name, connection: call.connection };
    if (call.outcome === 'ok') log.info(`in recovery: ${call.name} done`, fields);
    else log.warn(`in recovery: ${call.name} failed`, { ...fields, code: call.outcome });
  };
}
