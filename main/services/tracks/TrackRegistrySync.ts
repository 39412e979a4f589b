import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { RegistrationProblem } from '../../../src/api/contract.js';
import type { RegistryTrack, TrackProposalRequest, TrackProposalResult, TrackSyncResult } from '../../../src/fleet/trackApi.js';
import { compareSignatures, MATCH_FRECHET_M, type TrackSignature } from '../../../src/tracks/trackSignature.js';
import type { FleetExchange } from '../registration/FleetClient.js';
import { writeFileAtomic } from '../storage/atomicFile.js';

/** The signed fleet channel as the registry uses it (FleetClient). */
export interface RegistryChannel {
  proposeTrack(proposal: TrackProposalRequest): Promise<FleetExchange<TrackProposalResult>>;
  syncTracks(since: number): Promise<FleetExchange<TrackSyncResult>>;
}

/** The tracks service as the registry uses it. */
export interface RegistryTracks {
  registryView(): { id: string; name: string; signature: TrackSignature; canonical?: { id: string; layout: number } }[];
  linkCanonical(id: string, canonical: { id: string; name: string; layout: number }): Promise<void>;
}

export interface RegistryLog {
  info(msg: string, fields?: Record<string, unknown>): void;
}

/** Where the headset is in the registry: the revision it has seen, and its tracks waiting on a conflict. */
const stateSchema = z.object({ cursor: z.number().int().min(0), pending: z.record(z.string(), z.string()) });
type SyncState = z.infer<typeof stateSchema>;

export type RegistrySyncOutcome =
  | { ok: true; proposed: number; linked: number; cursor: number }
  | { ok: false; problem: RegistrationProblem; proposed: number; linked: number; cursor: number };

/**
 * The headset's side of the fleet's track registry (docs/tracks.md, "The fleet registry"), one run
 * at a time:
 *
 *   propose: every track not linked and not waiting on a conflict is sent (signature and cells only);
 *            joined, created or revised links it at once; pending remembers the conflict.
 *   sync:    the changes since the cursor, page after page; a linked track takes its canonical name,
 *            an unlinked one whose geometry matches a canonical track (the headset's own matcher:
 *            an operator resolved its conflict, or another headset brought the circuit) is linked.
 *
 * The cursor moves only after a page is applied and is written crash-safely: a cut repeats a page,
 * which changes nothing the second time. A failed exchange ends the run; the next picks up.
 */
export class TrackRegistrySync {
  constructor(private readonly options: { channel: RegistryChannel; tracks: RegistryTracks; stateFile: string; log: RegistryLog }) {}

  async run(): Promise<RegistrySyncOutcome> {
    const state = await this.loadState();
    let proposed = 0;
    let linked = 0;
    const fail = (problem: RegistrationProblem): RegistrySyncOutcome => ({ ok: false, problem, proposed, linked, cursor: state.cursor });

    for (const track of this.options.tracks.registryView()) {
      if (track.canonical || state.pending[track.id]) continue;
      const answer = await this.options.channel.proposeTrack({ localId: track.id, name: track.name, signature: track.signature });
      if (!answer.ok) return fail(answer.problem);
      proposed++;
      if (answer.value.track) {
        await this.options.tracks.linkCanonical(track.id, answer.value.track);
        linked++;
        this.options.log.info('track linked to the registry', { track: track.id, canonical: answer.value.track.id, outcome: answer.value.outcome });
      } else if (answer.value.conflictId) {
        state.pending[track.id] = answer.value.conflictId;
        await this.saveState(state);
        this.options.log.info('track waits on a registry conflict', { track: track.id, conflict: answer.value.conflictId });
      }
    }

    for (;;) {
      const page = await this.options.channel.syncTracks(state.cursor);
      if (!page.ok) return fail(page.problem);
      for (const canonical of page.value.tracks) linked += await this.apply(canonical, state);
      state.cursor = page.value.cursor;
      await this.saveState(state);
      if (!page.value.more) break;
    }
    return { ok: true, proposed, linked, cursor: state.cursor };
  }

  private async apply(canonical: RegistryTrack, state: SyncState): Promise<number> {
    let linked = 0;
    for (const track of this.options.tracks.registryView()) {
      if (track.canonical?.id === canonical.id) {
        await this.options.tracks.linkCanonical(track.id, canonical);
      } else if (!track.canonical && compareSignatures(track.signature, canonical.signature).distanceM <= MATCH_FRECHET_M) {
        await this.options.tracks.linkCanonical(track.id, canonical);
        delete state.pending[track.id];
        linked++;
        this.options.log.info('track linked to the registry', { track: track.id, canonical: canonical.id, outcome: 'synced' });
      }
    }
    return linked;
  }

  private async loadState(): Promise<SyncState> {
    try {
      return stateSchema.parse(JSON.parse(await readFile(this.options.stateFile, 'utf8')));
    } catch (error) {
      // No state yet, or a state that cannot be read: syncing again from the start is only slower.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.options.log.info('registry state unreadable: syncing from the start');
      return { cursor: 0, pending: {} };
    }
  }

  private async saveState(state: SyncState): Promise<void> {
    // The tracks folder is made by the first track saved: a headset with none has it made here.
    await mkdir(dirname(this.options.stateFile), { recursive: true });
    await writeFileAtomic(this.options.stateFile, `${JSON.stringify(state)}\n`);
  }
}
