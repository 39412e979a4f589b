import { join } from 'node:path';
import type { LicenseStatus, NetworkStatus, StateSource } from '../../../src/api/contract.js';
import type { licenseCalls, licenseEvents } from '../../../src/api/contract/license.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { LICENSE_STATE_FOLDER, LicenseStore } from './LicenseStore.js';
import { LicenseService } from './LicenseService.js';
import type { HeadsetBinding, LicenseMedium, RevocationSource, TrustedTimeFeed } from './ports.js';
import { TrustedClock } from './TrustedClock.js';

export interface LicenseNeeds {
  stateDir: string;
  trustDir: string;
  headset: () => HeadsetBinding;
  revocations: RevocationSource;
  medium: LicenseMedium;
  network: StateSource<NetworkStatus>;
  /** Verified TUF timestamp times, when the update capability offers them. */
  trustedTimes?: TrustedTimeFeed;
  log: SubsystemLogger;
  clock?: () => number;
  /** How often the state is re-evaluated and, online, the list re-fetched. */
  refreshMs?: number;
}

/**
 * The licence (license.status, license.feature, license.install, license.installFromUsb,
 * license.refreshRevocations, license.changed). Starting never waits for a network: the list is
 * fetched in the background whenever the headset is online, and every `refreshMs`.
 */
export function licenseCapability(needs: LicenseNeeds): Capability<{ license: StateSource<LicenseStatus>; allows: (feature: string) => boolean }> {
  const dir = join(needs.stateDir, LICENSE_STATE_FOLDER);
  const service = new LicenseService({
    store: new LicenseStore(dir),
    clock: new TrustedClock(dir, needs.clock),
    trustDir: needs.trustDir,
    headset: needs.headset,
    revocations: needs.revocations,
    medium: needs.medium,
    log: needs.log,
  });
  const cleanups: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const refreshInBackground = () => {
    if (needs.revocations.kind === 'none' || needs.network.current()?.state === 'offline') return;
    service
      .refreshRevocations()
      .catch((error: unknown) => needs.log.warn('revocation list not refreshed', { code: (error as { code?: string }).code }));
  };
  const handlers: HandlersOf<typeof licenseCalls> = {
    'license.status': () => service.status.current()!,
    'license.feature': ({ feature }) => service.feature(feature),
    'license.install': ({ text }) => service.install(text),
    'license.installFromUsb': () => service.installFromUsb(),
    'license.refreshRevocations': () => service.refreshRevocations(),
  };
  const events: EventsOf<typeof licenseEvents> = { 'license.changed': service.status };
  return {
    provides: { license: service.status, allows: (feature) => service.feature(feature).allowed },
    handlers,
    events,
    async start() {
      await service.load();
      cleanups.push(needs.network.subscribe((network) => network.state !== 'offline' && refreshInBackground()));
      if (needs.trustedTimes) cleanups.push(needs.trustedTimes.subscribe((ms) => void service.observeTrustedTime(ms)));
      timer = setInterval(
        () => {
          void service.tick();
          refreshInBackground();
        },
        needs.refreshMs ?? 6 * 3_600_000,
      );
      timer.unref();
      refreshInBackground();
    },
    async stop() {
      if (timer) clearInterval(timer);
      for (const cleanup of cleanups.splice(0)) cleanup();
    },
  };
}
