import { spawn } from 'node:child_process';
import type { SecretRedactor } from '../../../src/secrets/SecretRegistry.js';
import { nmcliError } from '../../../src/network/nmcliErrors.js';

export interface NmcliRunOptions {
  /** Written to nmcli's stdin and closed: the only way a secret reaches it (never argv). */
  stdin?: string;
  timeoutMs?: number;
  /** How an exit code 10 reads: a network or a saved profile not found. */
  notFound?: 'NETWORK_NOT_FOUND' | 'NETWORK_UNKNOWN_PROFILE';
}

/**
 * Runs `nmcli -t -e yes ARGS` under LC_ALL=C (stable words to match, escaped terse output) and
 * answers its stdout, or throws the catalogue's NETWORK_* error for the way it failed. Secrets go
 * in on stdin only; stderr is cut of registered secrets before it reaches an error or a log.
 */
export class NmcliRunner {
  constructor(private readonly options: { binary?: string; env?: NodeJS.ProcessEnv; secrets?: SecretRedactor; timeoutMs?: number } = {}) {}

  run(args: readonly string[], run: NmcliRunOptions = {}): Promise<string> {
    const timeoutMs = run.timeoutMs ?? this.options.timeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.binary ?? 'nmcli', ['-t', '-e', 'yes', ...args], {
        env: { ...(this.options.env ?? process.env), LC_ALL: 'C' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let spawnError: string | undefined;
      const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', (error: NodeJS.ErrnoException) => (spawnError = error.code ?? error.message));
      // A tool that exits before reading its stdin is not a failure of ours.
      child.stdin.on('error', () => undefined);
      child.stdin.end(run.stdin ?? '');
      child.on('close', (exitCode, signal) => {
        clearTimeout(timer);
        if (exitCode === 0 && !spawnError) return resolve(Buffer.concat(out).toString('utf8'));
        const stderr = Buffer.concat(err).toString('utf8');
        reject(
          nmcliError(
            { spawnError, exitCode, signal, stderr: this.options.secrets ? this.options.secrets.redact(stderr) : stderr },
            run.notFound ?? 'NETWORK_NOT_FOUND',
          ),
        );
      });
    });
  }
}
