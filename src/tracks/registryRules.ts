import { compareSignatures, MATCH_FRECHET_M, type TrackSignature } from './trackSignature.js';
import { SignatureIndex } from './signatureIndex.js';

/**
 * The fleet registry's rules for a headset's new track (docs/tracks.md, "The fleet registry"): one
 * pure decision, the same matcher the headset uses (compareSignatures, SignatureIndex), applied by
 * the server in one transaction. In order:
 *
 *   1. join      within MATCH_FRECHET_M of a canonical track (active or retired): that track; a
 *                name the wearer gave that differs is kept as an alias (one geometry, two names).
 *   2. revise    within MATCH_FRECHET_M of an open revised-layout candidate another headset sent:
 *                two headsets agree on the new layout, it becomes the track's next layout.
 *   3. candidate near a track of the venue (MATCH_FRECHET_M < d <= REVISED_LAYOUT_FRECHET_M, length
 *                within LENGTH_TOLERANCE): maybe a revised layout, maybe a noisy trace; held for a
 *                second headset or an operator.
 *   4. new       anything else is a new canonical track. Names are unique within a venue (tracks
 *                sharing a coarse cell): a taken name is told apart by the layout's length
 *                ("Name (3.8 km)"); if that is taken too, an operator names it.
 */
export const REVISED_LAYOUT_FRECHET_M = 150;

export interface RegistryTrackRef {
  id: string;
  name: string;
  status: 'active' | 'retired';
  signature: TrackSignature;
}

export interface RevisionCandidateRef {
  conflictId: string;
  trackId: string;
  deviceId: string;
  signature: TrackSignature;
}

export interface TrackProposal {
  deviceId: string;
  name: string;
  signature: TrackSignature;
}

export type RegistryDecision =
  | { kind: 'join'; trackId: string; distanceM: number; alias: string | null }
  | { kind: 'revise'; trackId: string; conflictId: string; distanceM: number }
  | { kind: 'candidate'; trackId: string; distanceM: number; existingConflictId: string | null }
  | { kind: 'new'; name: string }
  | { kind: 'name-taken'; name: string; trackId: string };

/** The headset's own name for a track it learned and nobody named (TracksService.newTrackName). */
const DEFAULT_NAME = /^Track \d+ \(\d+(\.\d+)? km\)$/;

export function isDefaultTrackName(name: string): boolean {
  return DEFAULT_NAME.test(name.trim());
}

/** Names compare without case, surrounding spaces or repeated spaces. */
export function nameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLocaleLowerCase();
}

export function decideProposal(
  proposal: TrackProposal,
  tracks: readonly RegistryTrackRef[],
  candidates: readonly RevisionCandidateRef[],
): RegistryDecision {
  const index = new SignatureIndex<RegistryTrackRef>();
  for (const track of tracks) index.add(track);
  const joined = index.match(proposal.signature);
  if (joined) {
    const named = !isDefaultTrackName(proposal.name) && nameKey(proposal.name) !== nameKey(joined.item.name);
    return { kind: 'join', trackId: joined.item.id, distanceM: joined.distanceM, alias: named ? proposal.name.trim() : null };
  }

  for (const candidate of candidates) {
    const { distanceM } = compareSignatures(proposal.signature, candidate.signature);
    if (distanceM > MATCH_FRECHET_M) continue;
    if (candidate.deviceId !== proposal.deviceId) return { kind: 'revise', trackId: candidate.trackId, conflictId: candidate.conflictId, distanceM };
    return { kind: 'candidate', trackId: candidate.trackId, distanceM, existingConflictId: candidate.conflictId };
  }

  let nearest: { id: string; distanceM: number } | null = null;
  for (const track of tracks) {
    if (track.status !== 'active') continue;
    const { distanceM } = compareSignatures(proposal.signature, track.signature, REVISED_LAYOUT_FRECHET_M);
    if (distanceM <= REVISED_LAYOUT_FRECHET_M && (!nearest || distanceM < nearest.distanceM)) nearest = { id: track.id, distanceM };
  }
  if (nearest) return { kind: 'candidate', trackId: nearest.id, distanceM: nearest.distanceM, existingConflictId: null };

  const venue = tracks.filter((t) => sharesCell(t.signature.cells, proposal.signature.cells));
  const taken = (name: string) => venue.find((t) => nameKey(t.name) === nameKey(name));
  const wanted = proposal.name.trim();
  if (!taken(wanted)) return { kind: 'new', name: wanted };
  const byLength = `${wanted} (${(proposal.signature.lengthM / 1000).toFixed(1)} km)`;
  const clash = taken(byLength);
  return clash ? { kind: 'name-taken', name: wanted, trackId: clash.id } : { kind: 'new', name: byLength };
}

/** Whether a rename would give two tracks of one venue the same name: the other track, or null. */
export function venueNameClash(id: string, name: string, signature: TrackSignature, tracks: readonly RegistryTrackRef[]): RegistryTrackRef | null {
  return tracks.find((t) => t.id !== id && nameKey(t.name) === nameKey(name) && sharesCell(t.signature.cells, signature.cells)) ?? null;
}

function sharesCell(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return b.some((cell) => set.has(cell));
}
