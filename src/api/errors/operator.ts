/** Operator tools: codes only `headsetctl` returns (keys and update repositories); no device API call declares one. */
export const operatorErrors = {
  KEY_EXISTS: 'A key file to be generated already exists; keys are never overwritten.',
  KEY_INVALID: 'A key file is not a valid Ed25519 key file, does not match its public key, or is readable by others.',
  REPO_EXISTS: 'A TUF repository already exists in the folder; it is never re-initialised.',
  REPO_MISSING: 'The folder holds no TUF repository metadata that the command needs.',
  IMAGE_ROOT_UNFIT: 'Something the services write lies on a read-only mount of the image, or a folder they need is not made at boot.',
} as const;
