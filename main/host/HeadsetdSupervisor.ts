import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { ReconnectBackoff, type ReconnectBackoffOptions } from '../../src/api/reconnectBackoff.js';

/** Restarts after a crash: soon, then at most every 30 s while it keeps failing. */
export const HEADSETD_RESTART_BACKOFF: ReconnectBackoffOptions = { baseMs: 1000, maxMs: 30_000, jitter: 0.5 };

const UI_LINE = /^Headset Control UI: (\S+)/;

export interface HeadsetdSupervisorOptions {
  command: string;
  /** headsetd's script and arguments, `--url-fd 3` among them; `--token-fd 4` is added here. */
  args: readonly string[];
  /** The web host's token, the same for every start (headsetd reads it from descriptor 4). */
  token: string;
  /** Each of headsetd's stdout lines. */
  onLine(line: string): void;
  /** headsetd announced its UI (with the token); `starts` counts from 1. */
  onUrl(url: string, starts: number, pid: number): void;
  /** What the supervisor does, in words, for the terminal. */
  onNote(text: string): void;
  /** headsetd is gone for good: it stopped cleanly, was stopped, or its first start failed. */
  onEnd(code: number | null): void;
  backoff?: ReconnectBackoff;
  /** A run that announced its UI and lasted this long resets the backoff. */
  stableMs?: number;
}

/**
 * Keeps headsetd running for `npm start`: an unexpected exit (a crash, a signal, a non-zero code
 * after it was up) starts it again after a backoff, on the same arguments (port, root) and with
 * the same token, so a page that was open reconnects by itself. A clean exit (code 0: it was told
 * to stop, as Ctrl-C does to the whole process group) ends it, as does `stop()`; a first start that
 * never announced its UI is not retried (a wrong option or a port in use would only fail again).
 */
export class HeadsetdSupervisor {
  private child: ChildProcess | undefined;
  private starts = 0;
  private everUp = false;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly backoff: ReconnectBackoff;
  private readonly args: string[];

  constructor(private readonly options: HeadsetdSupervisorOptions) {
    this.backoff = options.backoff ?? new ReconnectBackoff(HEADSETD_RESTART_BACKOFF);
    this.args = [...options.args, '--token-fd', '4'];
  }

  /** The running headsetd's process id. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.starts++;
    const child = spawn(this.options.command, this.args, { stdio: ['ignore', 'pipe', 'inherit', 'pipe', 'pipe'] });
    this.child = child;
    // The token goes on its own pipe, never on the command line (every process can read that).
    const tokenPipe = child.stdio[4] as Writable;
    tokenPipe.on('error', () => undefined); // headsetd gone before reading it: its exit says why
    tokenPipe.end(`${this.options.token}\n`);
    let upAt: number | undefined;
    createInterface({ input: child.stdout! }).on('line', (line) => this.options.onLine(line));
    createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
      const match = UI_LINE.exec(line);
      if (!match) return;
      upAt = Date.now();
      this.everUp = true;
      this.pinPort(match[1]!);
      this.options.onUrl(match[1]!, this.starts, child.pid!);
    });
    let ended = false;
    const end = (code: number | null, signal: NodeJS.Signals | null) => {
      if (ended) return;
      ended = true;
      this.ended(code, signal, upAt);
    };
    child.once('error', (error) => {
      this.options.onNote(`headsetd could not start: ${error.message}`);
      // A process that never started sends no 'exit'.
      if (child.pid === undefined) end(1, null);
    });
    child.once('exit', end);
  }

  private ended(code: number | null, signal: NodeJS.Signals | null, upAt: number | undefined): void {
    this.child = undefined;
    if (this.stopping || code === 0 || !this.everUp) return this.options.onEnd(code);
    if (upAt !== undefined && Date.now() - upAt >= (this.options.stableMs ?? 30_000)) this.backoff.reset();
    const delay = this.backoff.next();
    this.options.onNote(
      `headsetd ended unexpectedly (${signal ?? `exit code ${code}`}); starting it again in ${(delay / 1000).toFixed(1)} s. The UI reconnects by itself.`,
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopping) this.start();
    }, delay);
  }

  /** Restarts listen where the page is: `--port 0` becomes the port the first start got. */
  private pinPort(url: string): void {
    const at = this.args.indexOf('--port');
    const port = new URL(url).port;
    if (at >= 0 && port) this.args[at + 1] = port;
  }

  /** Stops headsetd (SIGTERM) and starts no other; onEnd follows its exit (at once when none runs). */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
    }
    if (this.child) this.child.kill('SIGTERM');
    else this.options.onEnd(0);
  }
}
