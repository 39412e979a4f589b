/**
 * Tracks and sessions (docs/tracks.md): the circuits the headset learned from the GPS and the sessions
 * driven on them. A session still being recorded is a state (`tracks.status`), not an error.
 */
export const tracksErrors = {
  TRACK_NOT_FOUND: 'No track with this id on the headset: it was never learned here, or a wipe erased the tracks.',
  TRACK_NAME_TAKEN: 'Another track on the headset already has this name.',
  TRACK_SESSION_NOT_FOUND: 'No session with this id on the headset: it was deleted, or a wipe erased the sessions.',
  TRACK_SESSION_LIVE: 'The session is being recorded now: it can be deleted once it has ended.',
} as const;
