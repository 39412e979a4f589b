import type { CallContext, CallHandlers } from '../api/contract.js';
import type { lockCalls } from '../api/contract/lock.js';
import type { DeviceLock } from './DeviceLock.js';

/**
 * The lock's calls over a DeviceLock, shared by headsetd and the fake device: every call answers
 * the lock as the calling connection sees it afterwards.
 */
export function lockHandlers(lock: DeviceLock): Pick<CallHandlers, keyof typeof lockCalls> {
  const status = (context: CallContext) => lock.status(context.connectionId, context.holds('unlocked'));
  return {
    'lock.status': (_input, context) => status(context),
    'lock.set': async ({ pin }, context) => {
      await lock.set(context.connectionId, pin);
      return status(context);
    },
    'lock.unlock': async ({ pin }, context) => {
      await lock.unlock(context.connectionId, pin);
      return status(context);
    },
    'lock.lock': (_input, context) => {
      lock.lock(context.connectionId);
      return status(context);
    },
    'lock.change': async ({ oldPin, newPin }, context) => {
      await lock.change(context.connectionId, oldPin, newPin);
      return status(context);
    },
    'lock.remove': async ({ pin }, context) => {
      await lock.remove(context.connectionId, pin);
      return status(context);
    },
  };
}
