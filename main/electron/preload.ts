// The page's only door to the system: one data-only port. No ipcRenderer, no Node, no functions
// that take anything but strings.
import { contextBridge, ipcRenderer } from 'electron';

const CHANNEL = 'headset:api';
/** Main's answer to `connect`, and news of a closed connection: 'open' or 'closed'. */
const CONNECTION = 'headset:connection';
const CONNECT = 'headset:connect';
const listeners = new Set<(message: string) => void>();
const connectionListeners = new Set<(state: string) => void>();

ipcRenderer.on(CHANNEL, (_event, message: unknown) => {
  if (typeof message === 'string') for (const listener of listeners) listener(message);
});
ipcRenderer.on(CONNECTION, (_event, state: unknown) => {
  if (state === 'open' || state === 'closed') for (const listener of connectionListeners) listener(state);
});

contextBridge.exposeInMainWorld('headsetBridge', {
  post(message: unknown): void {
    if (typeof message === 'string') ipcRenderer.send(CHANNEL, message);
  },
  onMessage(listener: unknown): void {
    if (typeof listener === 'function') listeners.add(listener as (message: string) => void);
  },
  /** A new connection to headsetd for this window (the page reconnects after headsetd restarts). */
  connect(): void {
    ipcRenderer.send(CONNECT);
  },
  onConnection(listener: unknown): void {
    if (typeof listener === 'function') connectionListeners.add(listener as (state: string) => void);
  },
});
