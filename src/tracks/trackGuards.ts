import { AppError } from '../api/errors.js';

/** The checks the tracks calls make, each refusing with its catalogue code. */

export function requireTrack<T>(track: T | undefined, id: string): T {
  if (track === undefined) throw new AppError('TRACK_NOT_FOUND', `No track ${id} on the headset.`);
  return track;
}

export function requireSession<T>(session: T | undefined, id: string): T {
  if (session === undefined) throw new AppError('TRACK_SESSION_NOT_FOUND', `No session ${id} on the headset.`);
  return session;
}

/** A name another track has (compared without case or surrounding spaces) is refused. */
export function checkTrackName(name: string, others: readonly { id: string; name: string }[], id: string): string {
  const wanted = name.trim();
  const key = wanted.toLocaleLowerCase();
  if (others.some((t) => t.id !== id && t.name.trim().toLocaleLowerCase() === key))
    throw new AppError('TRACK_NAME_TAKEN', `Another track is already called "${wanted}".`);
  return wanted;
}

export function checkSessionEnded(live: boolean, id: string): void {
  if (live) throw new AppError('TRACK_SESSION_LIVE', `Session ${id} is being recorded now: delete it once it has ended.`);
}
