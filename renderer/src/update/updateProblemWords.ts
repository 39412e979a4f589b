import type { ErrorCode } from '../../../src/api/errors.js';
import type { Problem } from './useAction.js';

/** A failed update in plain words: a headline and what it means for the wearer (the code stays in the details). */
export interface ProblemWords {
  title: string;
  text: string;
}

const SERVER: ProblemWords = {
  title: 'The update server could not be reached',
  text: 'The headset tries again later by itself. Check that it is online, or try again now.',
};

const DID_NOT_PASS: ProblemWords = {
  title: 'The update could not be installed',
  text: 'The downloaded update did not pass the headset’s checks, so nothing was changed. The system you have keeps working.',
};

const NO_ROOM: ProblemWords = {
  title: 'There is not enough room for the update',
  text: 'Free some storage and try again. The system you have keeps working.',
};

const NOT_FOR_THIS: ProblemWords = {
  title: 'This update is not for this headset',
  text: 'It needs a newer headset or newer parts than this one has. The system you have keeps working.',
};

/** By the catalogue's code (src/api/errors/): what the wearer should read, never the code itself. */
const WORDS: Partial<Record<ErrorCode, ProblemWords>> = {
  UPDATE_CHECK_FAILED: SERVER,
  UPDATE_NO_BOOT_SPACE: NO_ROOM,
  UPDATE_TOO_LARGE: NO_ROOM,
  UPDATE_NO_SPACE: NO_ROOM,
  UPDATE_INCOMPATIBLE: NOT_FOR_THIS,
  UPDATE_REQUIREMENT_UNMET: NOT_FOR_THIS,
  UPDATE_BELOW_MIN_VERSION: NOT_FOR_THIS,
  SLOT_VERIFY_FAILED: DID_NOT_PASS,
  UPDATE_SERVICE_STOP_FAILED: {
    title: 'The update could not be installed',
    text: 'A part of the system could not be paused for it. Restart the headset and try again; the system you have keeps working.',
  },
};

/** The words for a failed update or check; a code without words of its own gets the general ones. */
export function updateProblemWords(problem: Problem): ProblemWords {
  const words = problem.code ? WORDS[problem.code as ErrorCode] : undefined;
  if (words) return words;
  if (problem.code?.startsWith('BUNDLE_')) return DID_NOT_PASS;
  return { title: 'The update did not finish', text: 'Something went wrong. The system you have keeps working; you can try again.' };
}
