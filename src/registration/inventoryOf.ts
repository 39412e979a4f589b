import type { BootStatus } from '../api/contract/boot.js';
import type { HealthSnapshot } from '../api/contract/health.js';
import type { SystemInfo } from '../api/contract/system.js';
import { inventorySchema, type Inventory } from '../fleet/inventory.js';

/**
 * What the headset reports at a check-in, from the answers of its own API: `system.info` (model,
 * app version, components), `boot.status` (slots), `health.snapshot` (null before the first) and
 * the configured group tags. Checked against the server's schema here, so a headset never sends
 * what the server would refuse as INVALID_INPUT: a bad value is named on the headset.
 */
export function inventoryOf(facts: {
  info: SystemInfo;
  boot: BootStatus;
  health: HealthSnapshot | undefined;
  groupTags: readonly string[];
}): Inventory {
  const { info, boot, health } = facts;
  return inventorySchema.parse({
    model: info.model,
    appVersion: info.appVersion,
    components: info.components ?? {},
    slots: {
      active: boot.activeSlot,
      order: boot.order,
      list: boot.slots.map((slot) => ({
        name: slot.name,
        version: slot.version,
        bootable: slot.bootable,
        triesLeft: slot.triesLeft,
        active: slot.active,
      })),
      fellBack: boot.fellBack,
    },
    health: health ?? null,
    groupTags: [...facts.groupTags],
  });
}
