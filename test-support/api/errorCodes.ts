import { ApiError } from '../../src/api/client.js';
import { AppError, type ErrorCode } from '../../src/api/errors.js';

// The catalogue code a call, a check or a promise ended with: what a test compares.

/** The code a call failed with; a call that succeeds is a test failure. */
export async function errorCodeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
  throw new Error('Expected the call to fail, but it succeeded.');
}

/** The catalogue code a synchronous check throws, or 'OK' when it passes (anything else is rethrown). */
export function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'OK';
}

/** The catalogue code a promise rejects with (AppError or ApiError), or 'OK' when it resolves. */
export async function settledCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError || error instanceof ApiError) return error.code;
    throw error;
  }
  return 'OK';
}
