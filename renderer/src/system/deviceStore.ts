import { create } from 'zustand';
import type { Identity, SystemInfo } from '../../../src/api/contract.js';

/** Facts that do not change while the app runs: what the software and the device are. */
export interface DeviceState {
  info?: SystemInfo;
  identity?: Identity;
}

export const useDeviceStore = create<DeviceState>(() => ({}));
