/**
 * The one thing Electron's preload exposes to the page (see main/electron/preload.ts): a data-only
 * port. Declared here so the renderer stays free of Electron imports.
 */
export interface HeadsetBridge {
  post(message: string): void;
  onMessage(listener: (message: string) => void): void;
}

declare global {
  interface Window {
    headsetBridge?: HeadsetBridge;
  }
}
