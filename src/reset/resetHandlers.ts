import type { CallHandlers, StateSource } from '../api/contract.js';
import type { ConfigurationReport, HardwareReport, ResetPlan, ResetState, resetCalls } from '../api/contract/reset.js';
import { AppError } from '../api/errors.js';
import type { SignedSanitizationRecord } from './sanitizationRecord.js';
import type { WipeScope } from './wipeScopes.js';

/** What the reset calls need of the transaction (main/services/reset/, or the fake device's memory). */
export interface ResetPort {
  state: StateSource<ResetState>;
  busy(): boolean;
  plan(scope: WipeScope): Omit<ResetPlan, 'pinRequired'>;
  /** Confirmed: journals the wipe and starts it; resolves once the journal is durable. */
  begin(scope: WipeScope, overwritePasses?: number): Promise<void>;
  records(): Promise<SignedSanitizationRecord[]>;
  /** Checks the operator's signed authorization against this headset (DECOMMISSION_* errors); nothing erased. */
  authorizeDecommission(authorization: string): Promise<void>;
  /** Confirmed: restores the configuration defaults (keeping the PIN and accounts as chosen), then restarts the headset after answering. */
  configure(choices: { keepPin: boolean; keepAccounts: boolean }): Promise<ConfigurationReport>;
  /** Power-cycles, brings up and verifies each peripheral, recalibrating the IMU when asked. */
  hardware(options: { recalibrateImu: boolean }): Promise<HardwareReport>;
}

/** The PIN, checked again at the moment a wipe is confirmed (the DeviceLock: wrong PINs count and back off as for unlock). */
export interface PinConfirmation {
  readonly state: StateSource<{ pin: 'none' | 'set' | 'unreadable' }>;
  unlock(connection: number, pin: string): Promise<void>;
}

/**
 * The reset calls, shared by headsetd and the fake device: an explicit confirmation, the PIN when
 * one is set (even on an unlocked connection: a wipe cannot be undone), one wipe at a time, and
 * decommissioning refused in reset.wipe: it is reset.decommission, with the operator's signed authorization.
 */
export function resetHandlers(reset: ResetPort, lock: PinConfirmation): Pick<CallHandlers, keyof typeof resetCalls> {
  const pinRequired = () => lock.state.current()?.pin !== 'none';
  const confirmed = async (confirm: boolean, pin: string | undefined, connection: number) => {
    if (!confirm) throw new AppError('RESET_CONFIRMATION_REQUIRED');
    if (reset.busy()) throw new AppError('RESET_IN_PROGRESS');
    if (pinRequired()) {
      if (pin === undefined) throw new AppError('RESET_PIN_REQUIRED');
      await lock.unlock(connection, pin);
    }
    // Checked again: another reset may have begun while the PIN was checked.
    if (reset.busy()) throw new AppError('RESET_IN_PROGRESS');
  };
  return {
    'reset.status': () => reset.state.current()!,
    'reset.plan': ({ scope }) => ({ ...reset.plan(scope), pinRequired: pinRequired() }),
    'reset.records': () => reset.records(),
    'reset.hardware': ({ recalibrateImu }) => {
      if (reset.busy()) throw new AppError('RESET_IN_PROGRESS');
      return reset.hardware({ recalibrateImu });
    },
    'reset.wipe': async ({ scope, confirm, pin, overwritePasses }, context) => {
      if (scope === 'decommission') throw new AppError('RESET_SCOPE_OPERATOR_ONLY');
      await confirmed(confirm, pin, context.connectionId);
      await reset.begin(scope, overwritePasses);
      return reset.state.current()!;
    },
    // No PIN here: the operator's signature is the authority (the operator may not know the wearer's PIN, and the PIN alone must not be enough).
    'reset.decommission': async ({ confirm, authorization }) => {
      if (!confirm) throw new AppError('RESET_CONFIRMATION_REQUIRED');
      if (reset.busy()) throw new AppError('RESET_IN_PROGRESS');
      await reset.authorizeDecommission(authorization);
      if (reset.busy()) throw new AppError('RESET_IN_PROGRESS');
      await reset.begin('decommission');
      return reset.state.current()!;
    },
    'reset.configure': async ({ confirm, pin, keepPin, keepAccounts }, context) => {
      await confirmed(confirm, pin, context.connectionId);
      return reset.configure({ keepPin, keepAccounts });
    },
  };
}
