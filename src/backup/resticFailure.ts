import { AppError } from '../api/errors.js';

/**
 * Turns a failed restic run (its exit code and the end of its stderr) into the error the wearer
 * sees. restic 0.14 exits 1 on a fatal error and 3 when some source files could not be read; the
 * cause is only in its messages, so they are matched here, in one place, against what 0.14 prints.
 * `details.tool` keeps restic's last lines for support (they name paths, never the passphrase).
 */
export function resticFailure(exitCode: number | null, stderr: string): AppError {
  const tail = stderr.trim().split('\n').slice(-6).join('\n');
  const details = { exitCode, tool: tail };
  if (/wrong password or no key found/i.test(stderr)) return new AppError('BACKUP_WRONG_PASSPHRASE', undefined, details);
  if (/no space left on device|disk quota exceeded/i.test(stderr)) return new AppError('BACKUP_DESTINATION_FULL', undefined, details);
  if (/Is there a repository at the following location|unable to open config file|repository does not exist/i.test(stderr)) {
    return new AppError('BACKUP_NO_REPOSITORY', undefined, details);
  }
  if (/connection refused|no such host|i\/o timeout|network is unreachable|server response unexpected/i.test(stderr)) {
    return new AppError('BACKUP_DESTINATION_UNREACHABLE', undefined, details);
  }
  if (/no matching ID found|no snapshot ID specified|invalid id/i.test(stderr)) return new AppError('BACKUP_NOT_FOUND', undefined, details);
  return new AppError('BACKUP_TOOL_FAILED', undefined, details);
}

/**
 * The packs `restic check --read-data` found damaged: 0.14 says "Pack ID does not match, want ID"
 * for a pack whose bytes changed, and "pack ID: ..." for one it could not read or decrypt.
 */
export function damagedPacksIn(checkOutput: string): string[] {
  const ids = new Set<string>();
  for (const match of checkOutput.matchAll(/Pack ID does not match, want ([0-9a-f]{64})/g)) ids.add(match[1]!);
  for (const match of checkOutput.matchAll(/^\s*pack ([0-9a-f]{64})[: ]/gm)) ids.add(match[1]!);
  for (const match of checkOutput.matchAll(/pack file cannot be listed ([0-9a-f]{64})/g)) ids.add(match[1]!);
  return [...ids];
}
