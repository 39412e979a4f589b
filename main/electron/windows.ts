import { BrowserWindow } from 'electron';
import type { Mode } from '../../src/api/contract.js';
import { APP_ORIGIN } from './appProtocol.js';

/**
 * The app's one window. Settings and setup: a normal full-screen panel. Recovery: a kiosk (no
 * way to leave it but the recovery actions).
 */
export function createMainWindow(preloadPath: string, mode: Mode): BrowserWindow {
  const window = new BrowserWindow({
    width: 1600,
    height: 900,
    backgroundColor: '#07090d',
    show: false,
    fullscreen: mode === 'recovery',
    kiosk: mode === 'recovery',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

export function applyMode(window: BrowserWindow, mode: Mode): void {
  window.setKiosk(mode === 'recovery');
  window.setFullScreen(mode === 'recovery');
}

/** Navigation and new windows are denied everywhere. Links are never handed to another browser: a headset has none. */
export function lockDownWebContents(contents: Electron.WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
