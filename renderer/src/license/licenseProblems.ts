import { ApiError } from '../../../src/api/client.js';

/** Why an install or a refresh was refused, in plain words (the code goes under "Details"). */
export const LICENSE_PROBLEM_WORDS: Record<string, string> = {
  LICENSE_NOT_FOUND: 'Put exactly one licence file (.hclicense) at the top of the USB stick and plug it in.',
  LICENSE_INVALID: 'That file is not a licence.',
  LICENSE_SIGNATURE_INVALID: 'That licence was changed after it was issued, or not issued by the vendor.',
  LICENSE_OTHER_HEADSET: 'That licence is for another headset.',
  LICENSE_EXPIRED: 'That licence has already expired.',
  LICENSE_REVOKED: 'That licence was withdrawn.',
  LICENSE_KEY_MISSING: "This headset's software cannot check licences (its licence key is missing).",
  LICENSE_REVOCATIONS_UNAVAILABLE: 'The list of withdrawn licences could not be fetched now.',
  LICENSE_REVOCATIONS_INVALID: 'The list of withdrawn licences that came back was not valid; the one kept is still used.',
  LICENSE_REVOCATIONS_OLDER: 'The list of withdrawn licences that came back was older than the one kept; it was refused.',
};

export interface LicenseProblem {
  words: string;
  code?: string;
  message?: string;
}

/** A refused licence call as the wearer reads it: plain words, and the code and message for "Details". */
export function licenseProblemOf(error: unknown): LicenseProblem {
  const code = error instanceof ApiError ? error.code : undefined;
  return {
    words: (code && LICENSE_PROBLEM_WORDS[code]) ?? 'That did not work.',
    code,
    message: error instanceof Error ? error.message : String(error),
  };
}
