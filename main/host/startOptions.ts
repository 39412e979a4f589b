import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** headsetd's options the launcher hands on unchanged: headsetd checks them and says what is wrong. */
export const PASSED_TO_HEADSETD = ['update-url', 'telemetry-url', 'telemetry-ca', 'boot'] as const;

export const START_USAGE = `usage: npm start -- [--port N] [--root DIR] [--mode settings|setup|recovery] [--no-open]
                    [--update-url URL] [--telemetry-url URL] [--telemetry-ca FILE] [--boot grub|uboot]

  --port, --root, --mode  as headsetd's (default port 7420, root ./.headset)
  --no-open               print the UI's address, open no window
  --update-url, --telemetry-url, --telemetry-ca, --boot
                          handed on to headsetd (node dist/headsetd.mjs --help says what they do)`;

/** A command line the launcher cannot run: the message names the option. */
export class StartUsageError extends Error {}

export interface StartOptions {
  help: boolean;
  /** The simulated headset's folder, absolute. */
  root: string;
  mode: string | undefined;
  open: boolean;
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
  return { help: values.help, root, mode: values.mode, open: !values['no-open'], headsetdArgs };
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
        help: { type: 'boolean', default: false },
        'update-url': { type: 'string' },
        'telemetry-url': { type: 'string' },
        'telemetry-ca': { type: 'string' },
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
