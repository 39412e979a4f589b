import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** headsetd's options the launcher hands on unchanged: headsetd checks them and says what is wrong. */
export const PASSED_TO_HEADSETD = ['update-url', 'telemetry-url', 'telemetry-ca', 'fleet-url', 'fleet-tags', 'boot'] as const;

export const START_USAGE = `usage: npm start -- [--port N] [--root DIR] [--mode settings|setup|recovery] [--no-open]
                    [--update-url URL] [--telemetry-url URL] [--telemetry-ca FILE] [--boot grub|uboot]
                    [--fleet | --fleet-url URL] [--fleet-tags TAGS]

  --port, --root, --mode  as headsetd's (default port 7420, root ./.headset)
  --no-open               print the UI's address, open no window
  --fleet                 also start a local fleet server (PGlite in ./.fleet/, http://127.0.0.1:8400/ or a
                          free port) and point the headset at it, its updates too (the server's /updates/,
                          unless --update-url is given); prints the dashboard's address and, on its
                          first start, the first admin's one-time password
  --update-url, --telemetry-url, --telemetry-ca, --fleet-url, --fleet-tags, --boot
                          handed on to headsetd (node dist/headsetd.mjs --help says what they do)`;

/** A command line the launcher cannot run: the message names the option. */
export class StartUsageError extends Error {}

export interface StartOptions {
  help: boolean;
  /** The simulated headset's folder, absolute. */
  root: string;
  mode: string | undefined;
  open: boolean;
  /** Start a local fleet server beside the headset (its folder, absolute), and hand its address to headsetd. */
  fleet: { dataDir: string } | undefined;
  /** headsetd's arguments after its script: the simulated device with the web UI, the address on descriptor 3. */
  headsetdArgs: string[];
}

/** `npm start`'s command line: what the launcher does itself, and what it hands on to headsetd. */
export function parseStartOptions(argv: readonly string[], cwd = process.cwd()): StartOptions {
  const values = parse(argv);
  const root = resolve(cwd, values.root);
  // The address with its token comes on descriptor 3, never through stdout (the journal on a device).
  const headsetdArgs = ['--device', 'simulated', '--root', root, '--web', '--port', values.port, '--url-fd', '3'];
  if (values.mode !== undefined) headsetdArgs.push('--mode', values.mode);
  for (const name of PASSED_TO_HEADSETD) {
    const value = values[name];
    if (value === undefined) continue;
    if (name.endsWith('-url') && carriesCredentials(value))
      throw new StartUsageError(`--${name} must not carry a user name or password: headsetd's command line is visible to every process`);
    headsetdArgs.push(`--${name}`, value);
  }
  if (values.fleet && values['fleet-url'] !== undefined)
    throw new StartUsageError('--fleet starts a fleet server and points the headset at it: it goes without --fleet-url');
  const fleet = values.fleet ? { dataDir: resolve(cwd, '.fleet') } : undefined;
  return { help: values.help, root, mode: values.mode, open: !values['no-open'], fleet, headsetdArgs };
}

/**
 * What `--fleet` adds to headsetd's arguments once the local fleet server is up: its address, and
 * its hosted TUF repository (`/updates/`) as the update URL unless `--update-url` chose another.
 */
export function localFleetHeadsetdArgs(fleetUrl: string, headsetdArgs: readonly string[]): string[] {
  const args = ['--fleet-url', fleetUrl];
  if (!headsetdArgs.includes('--update-url')) args.push('--update-url', new URL('updates/', fleetUrl).href);
  return args;
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string', default: '7420' },
        root: { type: 'string', default: '.headset' },
        mode: { type: 'string' },
        'no-open': { type: 'boolean', default: false },
        fleet: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
        'update-url': { type: 'string' },
        'telemetry-url': { type: 'string' },
        'telemetry-ca': { type: 'string' },
        'fleet-url': { type: 'string' },
        'fleet-tags': { type: 'string' },
        boot: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    // parseArgs says which option ("Unknown option '--x'"); the usage follows it.
    throw new StartUsageError((error as Error).message);
  }
}

function carriesCredentials(text: string): boolean {
  try {
    const url = new URL(text);
    return url.username !== '' || url.password !== '';
  } catch {
    return false; // not a URL: headsetd says so
  }
}
