/** Tracks: the fleet's track registry (docs/tracks.md, "The fleet registry"). */
export const trackErrors = {
  TRACK_SIGNATURE_INVALID: "The track's signature is not consistent with itself (its length, direction or cells); nothing was stored.",
  TRACK_NOT_FOUND: 'No canonical track has this id.',
  TRACK_NAME_TAKEN: 'Another track of the same venue already has this name.',
  TRACK_CONFLICT_NOT_FOUND: 'No track conflict has this id.',
  TRACK_CONFLICT_RESOLVED: 'This conflict was already resolved; details say how.',
  TRACK_RESOLUTION_INVALID: 'This resolution does not fit the conflict (or the track it is about has changed).',
} as const;
