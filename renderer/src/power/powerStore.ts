import { create } from 'zustand';

/** Whether the wearer switched the headset off from here: the lost connection that follows is that, not a fault. */
export interface PowerStoreState {
  switchedOff: boolean;
}

export const usePowerStore = create<PowerStoreState>(() => ({ switchedOff: false }));

/** A new connection is a headset that is on again: switched on since. */
export function bindPowerStore(): void {
  usePowerStore.setState({ switchedOff: false });
}
