import { create } from 'zustand';

export type ConnectionState = { status: 'connecting' } | { status: 'connected' } | { status: 'disconnected'; reason: string };

export const useConnectionStore = create<ConnectionState>(() => ({ status: 'connecting' }));
