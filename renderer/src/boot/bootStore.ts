import { create } from 'zustand';
import type { BootStatus } from '../../../src/api/contract.js';

export const useBootStore = create<{ status?: BootStatus }>(() => ({}));
