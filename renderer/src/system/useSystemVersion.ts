import { useBootStore } from '../boot/bootStore.js';

/** The one version the wearer is told: the system running now (the booted slot's). */
export function useSystemVersion(): string | undefined {
  return useBootStore((s) => s.status?.slots.find((slot) => slot.active)?.version ?? undefined);
}
