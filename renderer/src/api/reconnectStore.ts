import { create } from 'zustand';
import type { ReconnectPhase } from '../../../src/api/ReconnectingClient.js';

/** What the reconnection is doing (trying, or waiting until when), and the Retry button's action. */
export interface ReconnectState {
  phase: ReconnectPhase;
  retry(): void;
}

export const useReconnectStore = create<ReconnectState>(() => ({ phase: { status: 'idle' }, retry: () => undefined }));
