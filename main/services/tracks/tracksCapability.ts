import { join } from 'node:path';
import type { StateSource, TracksStatus } from '../../../src/api/contract.js';
import type { tracksCalls, tracksEvents } from '../../../src/api/contract/tracks.js';
import type { TrackFix } from '../../../src/tracks/geo.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { errorMessage } from '../../../src/errorText.js';
import { TrackRegistrySync, type RegistryChannel } from './TrackRegistrySync.js';
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
  /** The fleet's track registry, synced while the headset is registered with a fleet server. */
  registry?: {
    /** The signed fleet channel; undefined without a fleet server. */
    channel: () => RegistryChannel | undefined;
    /** Accepted by the fleet server now. */
    registered: () => boolean;
    /** Default 10 minutes. */
    intervalMs?: number;
  };
}

/** The registry's cursor and pending conflicts, beside the tracks they are about (backed up and wiped with them). */
export const REGISTRY_STATE_FILE = 'registry.state';
const DEFAULT_REGISTRY_INTERVAL_MS = 10 * 60_000;

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
  let registryTimer: NodeJS.Timeout | undefined;
  let unsubscribeTracks: (() => void) | undefined;
  let syncing: Promise<void> | undefined;
  const syncRegistry = () => {
    const registry = needs.registry;
    const channel = registry?.channel();
    if (!registry || !channel || syncing || !registry.registered()) return;
    const sync = new TrackRegistrySync({
      channel,
      tracks: service,
      stateFile: join(needs.dataDir, TRACKS_FOLDER, REGISTRY_STATE_FILE),
      log: needs.log,
    });
    syncing = sync
      .run()
      .then((outcome) => {
        if (!outcome.ok) needs.log.warn('track registry not reached', { problem: outcome.problem.code, proposed: outcome.proposed });
      })
      .catch((error: unknown) => needs.log.warn('track registry sync failed', { error: errorMessage(error) }))
      .finally(() => {
        syncing = undefined;
      });
  };
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
      if (needs.registry) {
        registryTimer = setInterval(syncRegistry, needs.registry.intervalMs ?? DEFAULT_REGISTRY_INTERVAL_MS);
        registryTimer.unref();
        // A track just learned is sent at once (when registered), not at the next interval.
        let known = service.status.current()?.tracks ?? 0;
        unsubscribeTracks = service.status.subscribe((status) => {
          if (status.tracks > known) syncRegistry();
          known = status.tracks;
        });
      }
    },
    async stop() {
      clearInterval(timer);
      clearInterval(registryTimer);
      unsubscribeTracks?.();
      unsubscribe?.();
      await syncing;
      await service.stop();
    },
  };
}
