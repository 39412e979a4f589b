import type { CallHandlers, StateSource } from '../api/contract.js';
import type { ResetPlan, ResetState, resetCalls } from '../api/contract/reset.js';
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
}

/** The PIN, checked again at the moment a wipe is confirmed (the DeviceLock: wrong PINs count and back off as for unlock). */
export interface PinConfirmation {
  readonly state: StateSource<{ pin: 'none' | 'set' | 'unreadable' }>;
  unlock(connection: number, pin: string): Promise<void>;
}

/**
 * The reset calls, shared by headsetd and the fake device: an explicit confirmation, the PIN when
 * one is set (even on an unlocked connection: a wipe cannot be undone), one wipe at a time, and
 * decommissioning refused (the operator's, through headsetctl).
 */
export function resetHandlers(reset: ResetPort, lock: PinConfirmation): Pick<CallHandlers, keyof typeof resetCalls> {
  const pinRequired = () => lock.state.current()?.pin !== 'none';
  return {
    'reset.status': () => reset.state.current()!,
    'reset.plan': ({ scope }) => ({ ...reset.plan(scope), pinRequired: pinRequired() }),
    'reset.records': () => reset.records(),
    'reset.wipe': async ({ scope, confirm, pin, overwritePasses }, context) => {
      if (scope === 'decommission') throw new AppError('RESET_SCOPE_OPERATOR_ONLY');
      if (!confirm) throw new AppError('RESET_CONFIRMATION_REQUIRED');
      if (reset.busy()) throw new AppError('RESET_IN_PROGRESS');
      if (pinRequired()) {
        if (pin === undefined) throw new AppError('RESET_PIN_REQUIRED');
        await lock.unlock(context.connectionId, pin);
      }
      // Checked again: another wipe may have begun while the PIN was checked.
      if (reset.busy()) throw new AppError('RESET_IN_PROGRESS');
      await reset.begin(scope, overwritePasses);
      return reset.state.current()!;
    },
  };
}
