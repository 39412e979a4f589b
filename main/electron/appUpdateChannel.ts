import { autoUpdater } from 'electron-updater';

/**
 * The app channel: electron-updater (generic provider) updating the Electron app on its own.
 *
 * Off by default, and kept off on A/B images: there the app is part of the signed system image,
 * so an app updated beside it would make the running slot differ from what was installed and
 * verified, and a rollback would bring back an app that no longer matches. electron-updater also
 * has no signature check on Linux, no resume across restarts and no throttle, which the system
 * channel (signed bundles over TUF) has. It is for images where the app is installed as a
 * package outside the slots (AppImage on a development unit), when `--app-updates=URL` is given.
 */
export function startAppUpdateChannel(url: string | undefined, log: (line: string) => void): void {
  if (!url) return;
  autoUpdater.setFeedURL({ provider: 'generic', url });
  // The wearer decides: download only what they accept, install on the next quit.
  autoUpdater.autoDownload = false;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.on('update-available', (info) => log(`app update ${info.version} available`));
  autoUpdater.on('error', (error) => log(`app update check failed: ${error.message}`));
  void autoUpdater.checkForUpdates().catch((error: unknown) => log(`app update check failed: ${String(error)}`));
}
