import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/** The port `npm run server` listens on; `npm start -- --fleet` takes it too, else a free one. */
export const LOCAL_FLEET_PORT = 8400;

const URL_LINE = /^Fleet server: (http:\/\/\S+)/;

export interface LocalFleetServer {
  /** The server's address, with a trailing slash: the dashboard, and what the headset registers with. */
  url: string;
  /** Resolves with the exit code when the server ends (stopped or crashed). */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/**
 * `npm start -- --fleet`: the built fleet server (`dist/fleet/server.mjs`) on PGlite in `dataDir`,
 * on port 8400 as `npm run server` would, or on a free port when that one is taken. Its lines go
 * to `onLine` as it prints them (the address, and on its first start the first admin's one-time
 * password: printed once, to whoever started it, as `npm run server` does).
 */
export async function startLocalFleetServer(options: {
  entry: string;
  dataDir: string;
  onLine: (line: string) => void;
  timeoutMs?: number;
}): Promise<LocalFleetServer> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  // Asked before the server starts, not after it failed to listen: its first start makes the first
  // admin before listening, and a second start would no longer have the password to print.
  if (await portIsFree(LOCAL_FLEET_PORT)) return startOn(LOCAL_FLEET_PORT, options);
  options.onLine(`Port ${LOCAL_FLEET_PORT} is taken: the fleet server takes a free one.`);
  return startOn(0, options);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export class FleetServerStartError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

function startOn(
  port: number,
  options: { entry: string; dataDir: string; onLine: (line: string) => void; timeoutMs?: number },
): Promise<LocalFleetServer> {
  const child: ChildProcess = spawn(process.execPath, [options.entry, '--data', options.dataDir, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its request log stays quiet beside headsetd's lines; warnings and errors still show.
    env: { ...process.env, FLEET_LOG_LEVEL: process.env.FLEET_LOG_LEVEL ?? 'warn' },
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new FleetServerStartError(`the fleet server printed no address within ${(options.timeoutMs ?? 120_000) / 1000} s`, output.join('\n')));
    }, options.timeoutMs ?? 120_000);
    void exited.then((code) => {
      clearTimeout(timer);
      if (!ready)
        reject(new FleetServerStartError(`the fleet server ended (exit ${code}) before it was ready:\n${output.join('\n')}`, output.join('\n')));
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      output.push(line);
      if (ready) options.onLine(`fleet server: ${line}`);
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      options.onLine(line);
      const match = URL_LINE.exec(line);
      if (match && !ready) {
        ready = true;
        clearTimeout(timer);
        resolve({ url: match[1]!, exited, stop });
      }
    });
  });
}
