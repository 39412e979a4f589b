import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeadsetdSupervisor } from './HeadsetdSupervisor.js';
import { startLocalFleetServer, type LocalFleetServer } from './LocalFleetServer.js';
import { START_USAGE, StartUsageError, localFleetHeadsetdArgs, parseStartOptions, type StartOptions } from './startOptions.js';

/**
 * `npm start`: headsetd on the simulated headset with the web UI, then a window on it: Electron
 * when its binary is installed, else Chromium in app mode, else just the printed address. When
 * headsetd ends unexpectedly it is started again (HeadsetdSupervisor) and the window stays.
 */
const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  let options: StartOptions;
  try {
    options = parseStartOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof StartUsageError)) throw error;
    console.error(`${error.message}\n\n${START_USAGE}`);
    process.exit(2);
  }
  if (options.help) return console.log(START_USAGE);
  const { root } = options;
  let stopping = false;
  // --fleet: the fleet server first, so headsetd starts pointed at it (and at its update repository).
  let fleet: LocalFleetServer | undefined;
  if (options.fleet) {
    fleet = await startLocalFleetServer({
      entry: join(here, 'fleet', 'server.mjs'),
      dataDir: options.fleet.dataDir,
      onLine: (line) => console.log(line),
    });
    console.log(`Fleet dashboard: ${fleet.url} (the headset registers with it; accept it there)`);
    options.headsetdArgs.push(...localFleetHeadsetdArgs(fleet.url, options.headsetdArgs));
    const server = fleet;
    void server.exited.then((code) => {
      if (!stopping) console.log(`The fleet server ended (exit ${code}): the headset shows it as out of reach.`);
    });
  }
  const values = { mode: options.mode, 'no-open': !options.open };
  let viewer: ChildProcess | undefined;
  // One token for every start of headsetd: a page opened on the first keeps working after a restart.
  const supervisor = new HeadsetdSupervisor({
    command: process.execPath,
    args: [join(here, 'headsetd.mjs'), ...options.headsetdArgs],
    token: randomBytes(32).toString('hex'),
    onLine: (line) => console.log(line),
    onNote: (text) => console.log(text),
    onUrl: (url, starts, pid) => {
      if (starts > 1) return console.log(`headsetd is running again (pid ${pid}); the UI reconnects by itself.`);
      console.log(`Open the UI at ${url}`);
      if (!values['no-open'] && !viewer) viewer = openViewer(url, root, values.mode === 'recovery');
    },
    onEnd: (code) => {
      viewer?.kill('SIGTERM');
      stopping = true;
      void (fleet?.stop() ?? Promise.resolve()).then(() => process.exit(code ?? 0));
    },
  });
  supervisor.start();
  const stop = () => {
    stopping = true;
    viewer?.kill('SIGTERM');
    supervisor.stop();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function openViewer(url: string, root: string, kiosk: boolean): ChildProcess | undefined {
  const electron = electronBinary();
  if (electron) {
    console.log('Opening the UI in Electron.');
    return spawn(
      electron,
      [join(here, 'electron', 'main.cjs'), `--socket=${join(root, 'run', 'headsetd.sock')}`, `--crash-dumps=${join(root, 'data', 'crashdumps')}`],
      { stdio: 'inherit' },
    );
  }
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.log('No display here: open the address above in a browser on this machine.');
    return undefined;
  }
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) => existsSync(path));
  if (!chromium) {
    console.log('Neither Electron nor Chromium is installed: open the address above in a browser.');
    return undefined;
  }
  console.log(`Opening the UI in ${chromium} (app mode).`);
  const flags = [
    `--app=${url}`,
    `--user-data-dir=${join(root, 'chromium-profile')}`,
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  if (kiosk) flags.push('--kiosk');
  if (process.getuid?.() === 0) flags.push('--no-sandbox');
  return spawn(chromium, flags, { stdio: 'ignore' });
}

/** Electron's binary, when its package could download it (never on machines without GitHub access). */
function electronBinary(): string | undefined {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const binary = join(dir, 'dist', 'electron');
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

main().catch((error: unknown) => {
  console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
