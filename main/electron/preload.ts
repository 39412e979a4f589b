// The page's only door to the system: one data-only port. No ipcRenderer, no Node, no functions
// that take anything but strings.
import { contextBridge, ipcRenderer } from 'electron';

const CHANNEL = 'headset:api';
const listeners = new Set<(message: string) => void>();

ipcRenderer.on(CHANNEL, (_event, message: unknown) => {
  if (typeof message === 'string') for (const listener of listeners) listener(message);
});

contextBridge.exposeInMainWorld('headsetBridge', {
  post(message: unknown): void {
    if (typeof message === 'string') ipcRenderer.send(CHANNEL, message);
  },
  onMessage(listener: unknown): void {
    if (typeof listener === 'function') listeners.add(listener as (message: string) => void);
  },
});
