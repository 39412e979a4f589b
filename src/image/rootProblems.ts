import { AppError } from '../api/errors.js';

/** A path of the image that a service writes or needs, and what is wrong with it there. */
export interface RootProblem {
  path: string;
  problem: string;
}

/** The read-only root check's verdict: IMAGE_ROOT_UNFIT with every problem in `details.problems`, or nothing. */
export function assertRootFit(problems: readonly RootProblem[]): void {
  if (problems.length === 0) return;
  throw new AppError(
    'IMAGE_ROOT_UNFIT',
    `${problems.length} path${problems.length === 1 ? '' : 's'} the services write or need do not fit the read-only image: ${problems
      .map((p) => `${p.path} (${p.problem})`)
      .join('; ')}`,
    { problems },
  );
}
