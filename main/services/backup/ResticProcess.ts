import { spawn } from 'node:child_process';
import { AppError } from '../../../src/api/errors.js';
import { resticFailure } from '../../../src/backup/resticFailure.js';
import type { Passphrase } from './Passphrase.js';

export interface ResticRunOptions {
  /** The repository: a folder, or `rest:http://host:port/name`. Never holds a secret (no user:password in it). */
  repository: string;
  /** Read by restic from file descriptor 3 (`--password-file /dev/fd/3`): never argv, never the environment. */
  passphrase: Passphrase;
  /** A second secret on file descriptor 4 (`key add --new-password-file /dev/fd/4`). */
  newPassphrase?: Passphrase;
  cwd?: string;
  signal?: AbortSignal;
  /** Each line restic prints as JSON on stdout (`--json` status and summary messages). */
  onJson?: (message: Record<string, unknown>) => void;
}

export interface ResticResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** How long restic may clean up after an abort before it is killed. */
const ABORT_GRACE_MS = 2000;
/** Kept of restic's stderr: the end says why it failed; a run that prints much stays bounded. */
const STDERR_LIMIT = 64 * 1024;
/** Kept of stdout when the caller reads JSON line by line (ls of a large snapshot prints megabytes). */
const STDOUT_LIMIT = 16 * 1024 * 1024;

/**
 * Hands restic its passphrases on pipes it opens as password files (/dev/fd/3, /dev/fd/4). Node's
 * child stdio are socket pairs, which /dev/fd/N cannot open (ENXIO), so a shell reads the two lines
 * from our stdin with its `read` builtin and feeds each into a real pipe with its `printf` builtin:
 * builtins exec nothing, so the secrets are in no command line and no environment.
 */
const FEED_SCRIPT =
  'IFS= read -r p || exit 90; IFS= read -r n || exit 90; exec 0</dev/null; printf %s "$p" | { printf %s "$n" | "$0" "$@" 4<&0 0</dev/null; } 3<&0';

/**
 * Runs restic. The passphrase goes down a pipe restic reads as its password file, so it is on no
 * command line (/proc/PID/cmdline is world-readable) and in no environment. RESTIC_* variables of
 * our own environment are dropped so a stray RESTIC_PASSWORD can never win over the pipe.
 */
export class ResticProcess {
  constructor(
    private readonly binary = 'restic',
    private readonly cacheDir?: string,
  ) {}

  async run(args: readonly string[], options: ResticRunOptions): Promise<ResticResult> {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('RESTIC_')) env[key] = value;
    // JSON status lines four times a second when stdout is not a terminal (restic's default is rarer).
    env.RESTIC_PROGRESS_FPS = '4';
    const argv = [
      '--repo',
      options.repository,
      '--password-file',
      '/dev/fd/3',
      ...(this.cacheDir ? ['--cache-dir', this.cacheDir] : ['--no-cache']),
      ...args,
    ];
    if (options.newPassphrase) argv.push('--new-password-file', '/dev/fd/4');
    // Its own process group: an abort reaches the shell, the feeding subshells and restic alike.
    const child = spawn('/bin/sh', ['-c', FEED_SCRIPT, this.binary, ...argv], {
      cwd: options.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(`${options.passphrase.bytes().toString('utf8')}\n${options.newPassphrase?.bytes().toString('utf8') ?? ''}\n`);

    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < STDOUT_LIMIT) stdout += chunk;
      if (!options.onJson) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) emitJson(line, options.onJson);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_LIMIT);
    });
    // SIGINT: restic saves no half snapshot and removes its lock. On a vanished stick that removal
    // is retried for a minute or more, so what is still running after a grace period is killed.
    let killTimer: NodeJS.Timeout | undefined;
    const signalGroup = (name: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, name);
      } catch {
        // Already gone.
      }
    };
    const abort = () => {
      signalGroup('SIGINT');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), ABORT_GRACE_MS);
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      const exitCode = await new Promise<number>((resolve, reject) => {
        child.once('error', (error: NodeJS.ErrnoException) =>
          reject(error.code === 'ENOENT' ? new AppError('BACKUP_TOOL_FAILED', 'restic is not installed.', { binary: this.binary }) : error),
        );
        child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
      });
      if (options.onJson && pending) emitJson(pending, options.onJson);
      return { exitCode, stdout, stderr };
    } finally {
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', abort);
    }
  }

  /** Runs restic and throws the classified error (resticFailure) unless it exits 0. */
  async expectSuccess(args: readonly string[], options: ResticRunOptions): Promise<ResticResult> {
    const result = await this.run(args, options);
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new AppError('CANCELLED');
    if (result.exitCode !== 0) throw resticFailure(result.exitCode, result.stderr);
    return result;
  }
}

function emitJson(line: string, onJson: (message: Record<string, unknown>) => void): void {
  const text = line.trim();
  if (!text.startsWith('{')) return;
  try {
    onJson(JSON.parse(text) as Record<string, unknown>);
  } catch {
    // restic prints a few plain lines even with --json: not progress.
  }
}
