import { app, crashReporter, session } from 'electron';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiClient } from '../../src/api/client.js';
import { MODES, type Mode } from '../../src/api/contract.js';
import { connectUnixSocket } from '../transports/UnixSocketPort.js';
import { registerAppScheme, serveRenderer } from './appProtocol.js';
import { startAppUpdateChannel } from './appUpdateChannel.js';
import { IpcBridge } from './ipcBridge.js';
import { installMainCrashHandlers, setUpLogging } from './logging.js';
import { applyMode, createMainWindow, lockDownWebContents } from './windows.js';

/**
 * Electron main: an unprivileged UI host. It owns no service; every call goes to headsetd over its
 * Unix socket (`--socket`). Started by `npm start` beside headsetd, or by the session on a device.
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
  .then(async () => {
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    serveRenderer(join(__dirname, '..', 'renderer'));
    const bridge = new IpcBridge(socketPath);
    // Main follows the mode too, to make the recovery window a kiosk.
    const client = new ApiClient(await connectUnixSocket(socketPath));
    logging.attach(client);
    logging.log.info('Electron main connected to headsetd', { socket: socketPath });
    const mode = await client.call('mode.get');
    const window = createMainWindow(join(__dirname, 'preload.cjs'), mode.mode);
    await bridge.attach(window.webContents);
    client.subscribe('mode.changed', (state) => {
      if ((MODES as readonly Mode[]).includes(state.mode)) applyMode(window, state.mode);
    });
    client.onClose(() => {
      logging.detach();
      app.quit();
    });
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
