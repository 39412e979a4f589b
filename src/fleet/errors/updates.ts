/** Updates: the TUF repository the server hosts (`headsetctl repo push`) and rollouts of its releases. */
export const updateErrors = {
  UPDATE_FILE_NAME_INVALID: 'This name is not a file of a TUF repository (N.root.json, N.targets.json, N.snapshot.json or targets/SHA256.NAME).',
  UPDATE_FILE_MISMATCH: "The uploaded bytes do not hash to the SHA-256 in the target's name; nothing was stored.",
  UPDATE_FILE_CONFLICT: 'A file of this name is already stored with other bytes; published files never change.',
  UPDATE_REPOSITORY_INCOMPLETE: 'The timestamp reaches files the server does not hold; details list them. Nothing was published.',
  UPDATE_PUBLICATION_STALE: 'The timestamp is not newer than the one the server serves; nothing was published.',
  ROLLOUT_NOT_FOUND: 'No rollout has this id.',
  ROLLOUT_RELEASE_UNKNOWN: 'The served repository has no full bundle of this version for this model.',
  ROLLOUT_ALREADY_RUNNING: 'This model already has an active or paused rollout: complete or abort it first.',
  ROLLOUT_STATE_CONFLICT: 'The rollout is not in the state or phase this action was asked from; details say where it is.',
} as const;
