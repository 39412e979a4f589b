import { create } from 'zustand';
import type { SetupProgress } from '../../../src/api/contract.js';

/** The setup journal as headsetd pushes it (`setup.changed`): the wizard's step and what was entered. */
export const useSetupStore = create<{ progress?: SetupProgress }>(() => ({}));
