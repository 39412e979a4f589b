import { create } from 'zustand';
import type { ModeState } from '../../../src/api/contract.js';

export const useModeStore = create<{ state?: ModeState }>(() => ({}));
