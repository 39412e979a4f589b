import { AppError } from '../../api/errors.js';

/** `repo init` never replaces a repository: its root keys are what devices trust. */
export function assertNoRepository(existingRoot: unknown, dir: string): void {
  if (existingRoot !== undefined) throw new AppError('REPO_EXISTS', `A repository already exists in ${dir}.`, { dir });
}

/** Metadata a command needs but the repository does not have. */
export function requireMetadata<T>(metadata: T | undefined, file: string, dir: string): T {
  if (metadata === undefined)
    throw new AppError('REPO_MISSING', `No repository metadata ${file} in ${dir} (run headsetctl repo init first).`, { dir, file });
  return metadata;
}
