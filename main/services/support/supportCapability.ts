import { join } from 'node:path';
import type { supportCalls, supportEvents } from '../../../src/api/contract/support.js';
import type { SecretRedactor, SecretRegistrar } from '../../../src/secrets/SecretRegistry.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { RelayDirectory, SupportSwitch, SupportViewSources } from './ports.js';
import { RelayConfigFile } from './RelayConfigFile.js';
import { SupportService, type SupportServiceOptions } from './SupportService.js';

export interface SupportNeeds {
  stateDir: string;
  /** Root-owned, not writable by others, all the way up (sshd's chroot rule): a folder under /run. */
  runDir: string;
  sources: SupportViewSources;
  secrets: SecretRegistrar & SecretRedactor;
  log: SubsystemLogger;
  /** The physical support switch, where the device has one. */
  supportSwitch?: SupportSwitch;
  /** Where the relay comes from (default: `support-relay.json` in the state folder; with a fleet, FleetRelayDirectory). */
  relays?: RelayDirectory;
  /** Says when the relays changed (the fleet server offered a session, or it ended). */
  relayChanges?: { onChange(listener: () => void): () => void };
  /** How often the switch is read. */
  switchPollMs?: number;
  service?: Partial<Omit<SupportServiceOptions, 'relays' | 'sources' | 'runDir' | 'stateDir' | 'secrets' | 'log'>>;
}

export const relayConfigPath = (stateDir: string) => join(stateDir, 'support-relay.json');

/**
 * Remote support (support.status, start, stop; support.changed): the service, and the physical
 * switch read every second: turned on, it starts a session (being at the headset is the consent,
 * as with the recovery button); turned off, it ends one. Its position at start-up starts nothing.
 */
export function supportCapability(needs: SupportNeeds): Capability<{ support: SupportService }> {
  const relays =
    needs.relays ?? new RelayConfigFile(relayConfigPath(needs.stateDir), (reason) => needs.log.error(`the support relay file ${reason}`));
  const service = new SupportService({
    ...needs.service,
    relays,
    sources: needs.sources,
    runDir: needs.runDir,
    stateDir: needs.stateDir,
    secrets: needs.secrets,
    log: needs.log,
  });
  let poll: NodeJS.Timeout | undefined;
  let unsubscribeRelays: (() => void) | undefined;
  let lastSwitch: boolean | undefined;
  const readSwitch = async () => {
    if (!needs.supportSwitch) return;
    const on = await needs.supportSwitch.isOn().catch(() => false);
    const was = lastSwitch;
    lastSwitch = on;
    service.setSwitch(on);
    if (was === undefined || was === on) return;
    if (on && service.current().state === 'off') {
      needs.log.info('support switch turned on');
      await service
        .start({ by: 'switch' })
        .catch((error: Error) => needs.log.warn('support switch could not start a session', { error: error.message }));
    } else if (!on && service.current().state !== 'off') {
      needs.log.info('support switch turned off');
      await service.stop('switch');
    }
  };
  const handlers: HandlersOf<typeof supportCalls> = {
    'support.status': () => service.current(),
    'support.start': ({ durationMinutes, reason }) => service.start({ by: 'settings', durationMinutes, reason }),
    'support.stop': () => service.stop('wearer'),
  };
  const events: EventsOf<typeof supportEvents> = { 'support.changed': service.status };
  return {
    provides: { support: service },
    handlers,
    events,
    start: async () => {
      await service.load();
      unsubscribeRelays = needs.relayChanges?.onChange(() => void service.relaysChanged());
      await readSwitch();
      if (needs.supportSwitch) {
        let busy = false;
        poll = setInterval(() => {
          if (busy) return;
          busy = true;
          void readSwitch().finally(() => (busy = false));
        }, needs.switchPollMs ?? 1000);
        poll.unref();
      }
    },
    stop: async () => {
      if (poll) clearInterval(poll);
      unsubscribeRelays?.();
      // headsetd stopping is the headset going down: the session ends with it.
      await service.stop('restart');
    },
  };
}
