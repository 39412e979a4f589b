import { join } from 'node:path';
import type { bootCalls, bootEvents } from '../../../src/api/contract/boot.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import { BootService } from './BootService.js';
import type { BootControl, BootEnvironmentStore, BootedSystemSource, SlotRecordStore } from './ports.js';

export interface BootNeeds {
  environment: BootEnvironmentStore;
  commandLine: BootedSystemSource;
  slotRecords: SlotRecordStore;
  stateDir: string;
}

/**
 * This boot (slot, recovery, fallback), the slots' contents and the boot counter (boot.status,
 * boot.changed). The boot itself is judged by the update lifecycle (update/bootSequence.ts).
 */
export function bootCapability(needs: BootNeeds): Capability<BootControl> {
  const boot = new BootService(needs.environment, needs.commandLine, needs.slotRecords, join(needs.stateDir, 'boot-count.json'));
  const handlers: HandlersOf<typeof bootCalls> = {
    'boot.status': () => {
      const status = boot.status.current();
      if (!status) throw new Error('boot status not loaded');
      return status;
    },
  };
  const events: EventsOf<typeof bootEvents> = { 'boot.changed': boot.status };
  return { provides: boot, handlers, events };
}
