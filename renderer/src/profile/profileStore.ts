import { create } from 'zustand';
import type { WearerProfile } from '../../../src/api/contract.js';

/** The wearer's profile as headsetd pushes it (`profile.changed`): their name and chosen formats. */
export const useProfileStore = create<{ profile?: WearerProfile }>(() => ({}));
