import { join } from 'node:path';
import type { StateSource, TracksStatus } from '../../../src/api/contract.js';
import type { tracksCalls, tracksEvents } from '../../../src/api/contract/tracks.js';
import type { TrackFix } from '../../../src/tracks/geo.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { TracksService } from './TracksService.js';
import { TrackStore } from './TrackStore.js';

/** Where the two user-data classes live on the data partition (userDataClasses.ts declares them). */
export const TRACKS_FOLDER = 'tracks';
export const SESSIONS_FOLDER = 'sessions';

export interface TracksNeeds {
  dataDir: string;
  /** The GPS's fixes as they come (the health capability's GPS service). */
  gps: { onFixes(listener: (fixes: TrackFix[]) => void): () => void };
  log: SubsystemLogger;
  idleEndMs?: number;
  /** How often a session without fixes is checked for its end. */
  idleCheckMs?: number;
}

/**
 * Tracks and sessions (tracks.status, tracks.list, tracks.sessions, tracks.session, tracks.rename,
 * tracks.deleteSession, tracks.changed): laps timed from the GPS on the circuits the headset learns.
 */
export function tracksCapability(needs: TracksNeeds): Capability<{ status: StateSource<TracksStatus> }> {
  const service = new TracksService({
    store: new TrackStore({ tracks: join(needs.dataDir, TRACKS_FOLDER), sessions: join(needs.dataDir, SESSIONS_FOLDER) }),
    log: needs.log,
    idleEndMs: needs.idleEndMs,
  });
  let unsubscribe: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const handlers: HandlersOf<typeof tracksCalls> = {
    'tracks.status': () => service.status.current()!,
    'tracks.list': () => service.listTracks(),
    'tracks.sessions': ({ trackId }) => service.listSessions(trackId),
    'tracks.session': ({ id }) => service.session(id),
    'tracks.rename': ({ id, name }) => service.rename(id, name),
    'tracks.deleteSession': async ({ id }) => {
      await service.deleteSession(id);
      return { deleted: true as const };
    },
  };
  const events: EventsOf<typeof tracksEvents> = { 'tracks.changed': service.status };
  return {
    provides: { status: service.status },
    handlers,
    events,
    async start() {
      await service.load();
      unsubscribe = needs.gps.onFixes((fixes) => service.accept(fixes));
      timer = setInterval(() => service.checkIdle(), needs.idleCheckMs ?? 30_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      unsubscribe?.();
      await service.stop();
    },
  };
}
