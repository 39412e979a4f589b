import { closeSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MODES, type Mode } from '../../src/api/contract.js';
import { readBuildInfo } from '../services/system/buildInfo.js';
import { listenUnixSocket } from '../transports/UnixSocketServer.js';
import { connectUnixSocket } from '../transports/UnixSocketPort.js';
import { ApiClient } from '../../src/api/client.js';
import { SecretRegistry } from '../../src/secrets/SecretRegistry.js';
import { LOCAL_UI_SCOPES, createHeadset } from './composition.js';
import { installCrashHandlers } from './crashHandlers.js';
import { journalLine } from './journal.js';
import { checkTelemetryUrl } from '../services/telemetry/telemetryConfig.js';
import { checkFleetUrl, parseFleetTags } from '../services/registration/fleetConfig.js';
import { startWebHost } from './WebHost.js';

const USAGE = `usage: headsetd [--device simulated|linux] [--root DIR] [--mode settings|setup|recovery]
                [--web] [--port N] [--socket PATH] [--boot grub|uboot]

  --device   simulated (default): a headset kept as files under --root; linux: this machine's hardware
  --root     the simulated device's folder, created on first run (default ./.headset)
  --mode     force the mode of this boot (default: recovery button, first-run setup, else settings)
  --web      also serve the UI and the API on 127.0.0.1 (prints the URL)
  --port     the web host's port (default 7420; 0 picks a free one)
  --socket   the API socket for Electron and headsetctl (default DIR/run/headsetd.sock, or /run/headsetd/)
  --update-url  the TUF update repository to follow (remembered); its first root.json must be in
             DIR/persist/trust/ (simulated) or /etc/headset/trust/
  --boot     the bootloader whose environment selects the slot. simulated: chosen when the device is
             made (default grub; uboot keeps a redundant U-Boot environment, DIR/boot/fw_env.config);
             linux: detected (/boot/grub/grubenv, else /etc/fw_env.config) unless given
  --telemetry-url  the OTLP/HTTP receiver (https) consented telemetry is forwarded to (remembered;
             "off" forgets it); without one, records wait in the bounded outbox
  --fleet-url  the fleet server to register with and check in to (remembered; "off" forgets it);
             without one the headset is managed by nobody and nothing waits for a server
  --fleet-tags  group tags reported at each check-in, comma-separated (site:berlin,beta; remembered)
  --license-revocations-url  where to fetch the signed licence revocation list (https) when no fleet
             server is configured (docs/licensing.md)
  --telemetry-ca   a PEM file of the CA that signed the receiver's certificate (copied, remembered)
  --url-fd   with --web: write the UI's address with its access token to this inherited file
             descriptor (a launcher's pipe); stdout, the journal, gets it only when it is a terminal
  --token-fd with --web: read the access token (64 hex digits) from this inherited descriptor
             instead of making one, so a launcher that restarts headsetd keeps its pages working
             (never on the command line: every process can read it)`;

/** The process's secrets, from the start: everything headsetd prints is cut by them too. */
const secrets = new SecretRegistry();

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      device: { type: 'string', default: 'simulated' },
      root: { type: 'string', default: '.headset' },
      mode: { type: 'string' },
      web: { type: 'boolean', default: false },
      port: { type: 'string', default: '7420' },
      socket: { type: 'string' },
      'update-url': { type: 'string' },
      'telemetry-url': { type: 'string' },
      'telemetry-ca': { type: 'string' },
      'fleet-url': { type: 'string' },
      'fleet-tags': { type: 'string' },
      'license-revocations-url': { type: 'string' },
      'url-fd': { type: 'string' },
      'token-fd': { type: 'string' },
      boot: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.device !== 'simulated' && values.device !== 'linux') throw new UsageError(`--device must be simulated or linux, not "${values.device}"`);
  if (values.mode !== undefined && !(MODES as readonly string[]).includes(values.mode))
    throw new UsageError(`--mode must be one of ${MODES.join(', ')}`);
  if (values.boot !== undefined && values.boot !== 'grub' && values.boot !== 'uboot')
    throw new UsageError(`--boot must be grub or uboot, not "${values.boot}"`);
  const telemetryUrl = values['telemetry-url'];
  if (telemetryUrl !== undefined && telemetryUrl !== 'off') {
    try {
      checkTelemetryUrl(telemetryUrl);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  try {
    if (values['fleet-url'] !== undefined && values['fleet-url'] !== 'off') checkFleetUrl(values['fleet-url']);
    if (values['fleet-tags'] !== undefined) parseFleetTags(values['fleet-tags']);
    if (values['license-revocations-url'] !== undefined) checkRevocationsUrl(values['license-revocations-url']);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const urlFd = values['url-fd'] === undefined ? undefined : Number(values['url-fd']);
  if (urlFd !== undefined && (!Number.isInteger(urlFd) || urlFd < 3))
    throw new UsageError(`--url-fd must be an inherited descriptor (3 or more), not "${values['url-fd']}"`);
  const token = values['token-fd'] === undefined ? undefined : readTokenFd(values['token-fd'], values.web);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not "${values.port}"`);

  const here = dirname(fileURLToPath(import.meta.url));
  const build = await readBuildInfo(join(here, 'build-info.json'));
  // Switching the simulated headset off (system.powerOff) stops headsetd as SIGTERM does.
  let stopFor: (reason: string) => void = () => undefined;
  const headset = await createHeadset({
    device: values.device,
    root: values.root,
    mode: values.mode as Mode | undefined,
    build,
    updateUrl: values['update-url'],
    telemetryUrl: values['telemetry-url'],
    telemetryCa: values['telemetry-ca'],
    fleetUrl: values['fleet-url'],
    fleetTags: values['fleet-tags'],
    licenseRevocationsUrl: values['license-revocations-url'],
    boot: values.boot as 'grub' | 'uboot' | undefined,
    // stdout is the journal: the lines are redacted as the log's are.
    log: (line) => console.log(journalLine(line, secrets)),
    secrets,
    // A trial boot commits only once the API answers over the socket (below).
    confirmBootOverTransport: true,
    onPowerOff: () => stopFor('power off'),
  });
  // A crash is written down before the process goes: the fatal entry, a crash record, the log flushed synchronously.
  installCrashHandlers(headset);
  console.log(`headsetd ${build.version} (${build.commit.slice(0, 12)}): ${headset.description}`);
  const socketPath = values.socket ?? headset.socketPath;
  const socket = await listenUnixSocket({ path: socketPath, router: headset.router, scopes: LOCAL_UI_SCOPES });
  console.log(`headsetd: API socket ${socketPath}`);
  const web = values.web
    ? await startWebHost({ router: headset.router, rendererDir: join(here, 'renderer'), port, scopes: LOCAL_UI_SCOPES, secrets, token })
    : undefined;
  // headsetd up, UI reachable: a trial boot commits once its API answers over the socket, as the UI's does.
  await headset.confirmBoot(() => pingOverSocket(socketPath));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`headsetd: ${signal}, shutting down`);
    const timer = setTimeout(() => process.exit(1), 5000);
    await Promise.allSettled([web?.close(), socket.close(), headset.close()]);
    clearTimeout(timer);
    process.exit(0);
  };
  stopFor = (reason) => void stop(reason);
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // Announced only once a SIGTERM is handled: a supervisor may stop headsetd as soon as it reads this line.
  if (web) announceUrl(web, urlFd);
}

/** Connects to the API socket as Electron and headsetctl do, and calls system.ping. */
/** A hung answer counts as unreachable: the trial must not wait for ever uncommitted. */
const BOOT_PING_TIMEOUT_MS = 15_000;

async function pingOverSocket(path: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer on ${path} within ${BOOT_PING_TIMEOUT_MS / 1000} s`)), BOOT_PING_TIMEOUT_MS);
  });
  const ping = async () => {
    const client = new ApiClient(await connectUnixSocket(path));
    try {
      await client.call('system.ping', { payload: 'boot' });
    } finally {
      client.close();
    }
  };
  const pinging = ping();
  pinging.catch(() => undefined); // a late failure after the timeout is not a crash
  try {
    await Promise.race([pinging, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

class UsageError extends Error {}

/** The web host's token as the web host makes it: 32 random bytes in hex. */
const WEB_TOKEN = /^[0-9a-f]{64}$/;

/**
 * The token a launcher hands over on an inherited descriptor (it keeps one token across restarts
 * of headsetd, so the page it opened reconnects). Read to its end, then closed: nothing headsetd
 * starts inherits it.
 */
function readTokenFd(text: string, web: boolean): string {
  const fd = Number(text);
  if (!Number.isInteger(fd) || fd < 3) throw new UsageError(`--token-fd must be an inherited descriptor (3 or more), not "${text}"`);
  if (!web) throw new UsageError("--token-fd is the web host's token: it needs --web");
  let token: string;
  try {
    token = readFileSync(fd, 'utf8').trim();
    closeSync(fd);
  } catch (error) {
    throw new UsageError(`--token-fd ${fd}: could not read the token (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  // Never quoted back: whatever came may be a secret.
  if (!WEB_TOKEN.test(token)) throw new UsageError(`--token-fd ${fd}: the token must be 64 hex digits (32 random bytes)`);
  secrets.register(token, 'web host token from the launcher');
  return token;
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`${journalLine(error.message, secrets)}\n\n${USAGE}`);
  else console.error(journalLine(error instanceof Error ? error.message : String(error), secrets));
  process.exit(error instanceof UsageError ? 2 : 1);
});

/**
 * The UI's address carries the per-start access token: a launcher gets it on its own pipe, a person
 * at a terminal on stdout; a stdout that is the journal (read by group adm) gets the address only.
 */
function announceUrl(web: { url: string; origin: string }, urlFd: number | undefined): void {
  if (urlFd !== undefined) {
    try {
      writeSync(urlFd, `Headset Control UI: ${web.url}\n`);
      closeSync(urlFd);
    } catch (error) {
      // Not a descriptor this process inherited: the UI runs on, the launcher never gets the address.
      console.error(`headsetd: could not write the UI's address to descriptor ${urlFd}: ${(error as Error).message}`);
    }
    console.log(`Headset Control UI: ${web.origin}/ (its access token went to descriptor ${urlFd})`);
  } else if (process.stdout.isTTY) console.log(`Headset Control UI: ${web.url}`);
  else console.log(`Headset Control UI: ${web.origin}/ (its access token is not written to a log: start with --url-fd N to receive it)`);
}

/** The list is signed, but where it comes from is still https (or http on this machine, for tests). */
function checkRevocationsUrl(text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--license-revocations-url is not a URL: "${text}".`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new Error('--license-revocations-url must be https (http only on this machine).');
}
