/**
 * The one thing Electron's preload exposes to the page (see main/electron/preload.ts): a data-only
 * port. Declared here so the renderer stays free of Electron imports.
 */
export interface HeadsetBridge {
  post(message: string): void;
  onMessage(listener: (message: string) => void): void;
  /** Asks Electron main for a new connection to headsetd (the last one, if any, is dropped). */
  connect(): void;
  /** `open` once a connection asked for is up; `closed` when it failed or went away. */
  onConnection(listener: (state: string) => void): void;
}

declare global {
  interface Window {
    headsetBridge?: HeadsetBridge;
  }
}
