import { TRACK_API, type TrackProposalRequest } from '../../src/fleet/trackApi.js';
import type { TrackSignature } from '../../src/tracks/trackSignature.js';
import type { Answer, Sender } from './httpSender.js';
import type { TestHeadset } from './TestHeadset.js';

/** A test headset's signed calls to the track registry, exactly as the headset makes them. */
export function signedPost(send: Sender, headset: TestHeadset, url: string, body: unknown): Promise<Answer> {
  const text = JSON.stringify(body);
  return send({ method: 'POST', url, headers: headset.signedHeaders('POST', url, text), body: text });
}

export function proposeTrack(
  send: Sender,
  headset: TestHeadset,
  name: string,
  signature: TrackSignature,
  localId: string = crypto.randomUUID(),
): Promise<Answer> {
  const proposal: TrackProposalRequest = { localId, name, signature };
  return signedPost(send, headset, TRACK_API.proposals, proposal);
}

export function syncTracks(send: Sender, headset: TestHeadset, since: number): Promise<Answer> {
  return signedPost(send, headset, TRACK_API.sync, { since });
}
