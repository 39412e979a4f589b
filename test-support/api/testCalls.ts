import { z } from 'zod';
import { apiCalls, call, type CallHandlers } from '../../src/api/contract.js';

/**
 * Calls that exist only in tests, served beside the contract's by a router given `calls`: they
 * exercise what no product call does yet. `test.unlockedEcho` is in the `unlocked` scope (network
 * changes, wipe and support mode will be), so the real scope checks and the device lock's grant
 * can be tested through every transport before those calls exist.
 */
export const TEST_UNLOCKED_CALL = 'test.unlockedEcho';

export const testCalls = {
  ...apiCalls,
  [TEST_UNLOCKED_CALL]: call({
    summary: 'Answers its input, to a connection holding `unlocked`.',
    scope: 'unlocked',
    input: z.object({ payload: z.string().max(100) }).strict(),
    output: z.object({ payload: z.string() }),
    errors: [],
  }),
};

/** Adds the test calls' handlers to a device's. */
export function addTestHandlers(handlers: CallHandlers): void {
  Object.assign(handlers, { [TEST_UNLOCKED_CALL]: ({ payload }: { payload: string }) => ({ payload }) });
}
