import { AppError, type ErrorCode } from '../api/errors.js';

/** What became of one nmcli run that did not succeed. */
export interface NmcliFailure {
  /** The spawn error's code (ENOENT: not installed), when it never ran. */
  spawnError?: string;
  exitCode: number | null;
  /** Signal that killed it (a timeout). */
  signal?: string | null;
  /** stderr with secrets already cut out. */
  stderr: string;
}

// nmcli's documented exit codes (nmcli(1) "EXIT STATUS").
const EXIT_ACTIVATION_FAILED = 4;
const EXIT_NOT_FOUND = 10;

/** NetworkManager's words for a refused key, and for a network gone during activation. */
const WRONG_KEY = /secrets were required|no secrets|4-way handshake|wrong password|\(7\)|supplicant-disconnect|\(8\)/i;
const GONE = /could not be found|ssid-not-found|\(53\)|\(36\)|no network with ssid/i;

/**
 * Maps a failed nmcli run to the catalogue: not installed, activation failed (a wrong key, the
 * network gone, another reason), not found (a network, or a saved profile where one was named),
 * or any other failure of the tool itself.
 */
export function nmcliError(failure: NmcliFailure, notFound: Extract<ErrorCode, 'NETWORK_NOT_FOUND' | 'NETWORK_UNKNOWN_PROFILE'>): AppError {
  if (failure.spawnError === 'ENOENT') return new AppError('NETWORK_TOOL_MISSING');
  const reason = failure.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500);
  if (failure.exitCode === EXIT_ACTIVATION_FAILED) {
    if (WRONG_KEY.test(reason)) return new AppError('NETWORK_WRONG_PASSWORD', undefined, { reason });
    if (GONE.test(reason)) return new AppError('NETWORK_VANISHED', undefined, { reason });
    return new AppError('NETWORK_CONNECT_FAILED', undefined, { reason });
  }
  if (failure.exitCode === EXIT_NOT_FOUND) return new AppError(notFound, undefined, { reason });
  return new AppError('NETWORK_TOOL_FAILED', undefined, {
    exitCode: failure.exitCode,
    signal: failure.signal ?? null,
    spawnError: failure.spawnError ?? null,
    stderr: reason,
  });
}
