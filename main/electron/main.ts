import { app, crashReporter, session, type BrowserWindow } from 'electron';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MODES, type Mode } from '../../src/api/contract.js';
import { ReconnectingClient } from '../../src/api/ReconnectingClient.js';
import { connectUnixSocket } from '../transports/UnixSocketPort.js';
import { registerAppScheme, serveRenderer } from './appProtocol.js';
import { startAppUpdateChannel } from './appUpdateChannel.js';
import { IpcBridge } from './ipcBridge.js';
import { installMainCrashHandlers, setUpLogging } from './logging.js';
import { applyMode, createMainWindow, lockDownWebContents } from './windows.js';

/**
 * Electron main: an unprivileged UI host. It owns no service; every call goes to headsetd over its
 * Unix socket (`--socket`). Started by `npm start` beside headsetd, or by the session on a device.
 * It outlives headsetd's restarts: it waits for headsetd at start and reconnects after a loss.
 */
const { values } = parseArgs({
  args: process.argv.slice(app.isPackaged ? 1 : 2),
  options: {
    socket: { type: 'string', default: '/run/headsetd/headsetd.sock' },
    'app-updates': { type: 'string' },
    'crash-dumps': { type: 'string' },
  },
  strict: false,
});
const socketPath = String(values.socket);
/** Where the UI (user headset-ui) keeps its dumps on a device; headsetd (composition.ts) reads it. */
const DEVICE_CRASH_DUMPS = '/var/lib/headset-ui/crashdumps';

/** Must run before crashReporter.start; Electron refuses a folder that does not exist. */
function useCrashDumpsFolder(dir: string | undefined): void {
  if (!dir) return; // development without headsetd's folder: Electron's default, kept unsent
  try {
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    app.setPath('crashDumps', dir);
  } catch (error) {
    console.error(`crash dumps stay in Electron's default folder: ${String(error)}`);
  }
}

// Entries go to headsetd's log; an uncaught exception leaves a crash record there.
const logging = setUpLogging();
installMainCrashHandlers(logging, (code) => app.exit(code));
// Minidumps stay on the device, in a folder headsetd reads (its telemetry ships them with consent).
useCrashDumpsFolder(values['crash-dumps'] === undefined ? (app.isPackaged ? DEVICE_CRASH_DUMPS : undefined) : String(values['crash-dumps']));
crashReporter.start({ uploadToServer: false });
registerAppScheme();
if (!app.requestSingleInstanceLock()) app.quit();

app.on('web-contents-created', (_event, contents) => lockDownWebContents(contents));

app
  .whenReady()
  .then(() => {
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    serveRenderer(join(__dirname, '..', 'renderer'));
    const bridge = new IpcBridge(socketPath);
    let window: BrowserWindow | undefined;
    // Main's own connection (its log entries, the mode that makes the recovery window a kiosk) comes
    // back by itself when headsetd restarts (systemd restarts it); the window stays, and its page
    // reconnects on its own through the bridge.
    const connection = new ReconnectingClient({
      open: () => connectUnixSocket(socketPath),
      setUp: async (client) => {
        client.onClose(() => logging.detach());
        const mode = await client.call('mode.get');
        client.subscribe('mode.changed', (state) => {
          if (window && (MODES as readonly Mode[]).includes(state.mode)) applyMode(window, state.mode);
        });
        logging.attach(client);
        logging.log.info('Electron main connected to headsetd', { socket: socketPath });
        if (!window) {
          window = createMainWindow(join(__dirname, 'preload.cjs'), mode.mode);
          bridge.attach(window.webContents);
        } else applyMode(window, mode.mode);
      },
      onPhase: (phase) => {
        if (phase.status === 'waiting')
          console.error(
            `headset-control: no connection to headsetd (${phase.reason}); trying again in ${Math.ceil((phase.retryAt - Date.now()) / 1000)} s`,
          );
      },
    });
    connection.start();
    app.once('before-quit', () => connection.stop());
    startAppUpdateChannel(typeof values['app-updates'] === 'string' ? values['app-updates'] : undefined, (line) =>
      console.log(`headset-control: ${line}`),
    );
  })
  .catch((error: unknown) => {
    logging.log.error('Electron main could not start', error);
    console.error(`headset-control: ${error instanceof Error ? error.message : String(error)}`);
    app.exit(1);
  });

app.on('window-all-closed', () => app.quit());
