import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { SupportProblem } from '../../../src/api/contract/support.js';
import { classifyTunnelLine } from '../../../src/support/tunnelOutput.js';
import type { SupportRelay } from './ports.js';

export interface TunnelSettings {
  sshPath: string;
  relay: SupportRelay;
  /** The session's private key file. */
  keyFile: string;
  /** A known_hosts file holding only the relay's pinned key, under the alias `support-relay`. */
  knownHosts: string;
  /** Where on the headset the forward leads: the view's sshd. */
  localPort: number;
  /** Keepalive: seconds between probes, and how many may go unanswered before the tunnel counts as lost. */
  serverAliveInterval: number;
  serverAliveCountMax: number;
  connectTimeout: number;
}

export type TunnelEnd = { problem: SupportProblem; terminal: boolean; detail: string };

/**
 * The arguments of `ssh -N -R`: no config file but these options, the relay's key pinned, our
 * key only (no agent), nothing forwarded but the one port, and an exit if that forward fails.
 * No secret is among them: the key is a path to a 0600 file.
 */
export function tunnelArguments(s: TunnelSettings): string[] {
  const o = (option: string) => ['-o', option];
  return [
    '-v', // "remote forward success" is said at debug1 only: the one sure sign the tunnel is up
    '-N',
    '-T',
    '-F',
    '/dev/null',
    '-i',
    s.keyFile,
    ...o('IdentitiesOnly=yes'),
    ...o('IdentityAgent=none'),
    ...o('BatchMode=yes'),
    ...o('PasswordAuthentication=no'),
    ...o('KbdInteractiveAuthentication=no'),
    ...o(`UserKnownHostsFile=${s.knownHosts}`),
    ...o('GlobalKnownHostsFile=/dev/null'),
    ...o('HostKeyAlias=support-relay'),
    ...o('StrictHostKeyChecking=yes'),
    ...o('UpdateHostKeys=no'),
    ...o('CheckHostIP=no'),
    ...o('ExitOnForwardFailure=yes'),
    ...o(`ServerAliveInterval=${s.serverAliveInterval}`),
    ...o(`ServerAliveCountMax=${s.serverAliveCountMax}`),
    ...o(`ConnectTimeout=${s.connectTimeout}`),
    ...o('ForwardAgent=no'),
    ...o('ForwardX11=no'),
    ...o('PermitLocalCommand=no'),
    ...o('ControlMaster=no'),
    ...o('ControlPath=none'),
    ...o('RequestTTY=no'),
    '-p',
    String(s.relay.port),
    '-l',
    s.relay.user,
    '-R',
    `localhost:${s.relay.remotePort}:127.0.0.1:${s.localPort}`,
    '--',
    s.relay.host,
  ];
}

/** The known_hosts file that pins the relay's key (and no other). */
export function pinnedKnownHosts(relay: SupportRelay): string {
  return `support-relay ${relay.hostKey.split(/\s+/).slice(0, 2).join(' ')}\n`;
}

/**
 * One attempt at the tunnel: `onUp` once the relay confirms the forward, `onEnd` once ssh exits,
 * with the reason its output gave (the last one it said).
 */
export class ReverseTunnel {
  private child: ChildProcess | undefined;
  private stopping = false;

  constructor(
    private readonly settings: TunnelSettings,
    private readonly onUp: (relayPort: number | null) => void,
    private readonly onEnd: (end: TunnelEnd) => void,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  open(): void {
    const child = spawn(this.settings.sshPath, tunnelArguments(this.settings), {
      stdio: ['ignore', 'ignore', 'pipe'],
      // Nothing inherited: no agent socket, no user config through HOME.
      env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' },
    });
    this.child = child;
    let up = false;
    let problem: TunnelEnd | undefined;
    createInterface({ input: child.stderr! }).on('line', (line) => {
      const signal = classifyTunnelLine(line);
      if (!signal) return;
      if (signal.kind === 'up') {
        const relayPort = this.settings.relay.remotePort || signal.relayPort;
        // With port 0 the relay's choice comes on its own line ("Allocated port N"): wait for it.
        if (up || relayPort === null) return;
        up = true;
        this.onUp(relayPort);
      } else if (!problem?.terminal) {
        problem = { problem: signal.problem, terminal: signal.terminal, detail: signal.line.slice(0, 200) };
      }
    });
    let ended = false;
    const end = (code: number | null) => {
      if (ended) return;
      ended = true;
      this.child = undefined;
      if (this.stopping) return;
      const result = problem ?? { problem: up ? 'tunnel-lost' : 'tunnel-failed', terminal: false, detail: `ssh exited with ${code}` };
      // Once up, a later refusal is the tunnel going down, not the relay turning us away at the door.
      this.onEnd(up && result.problem === 'relay-unreachable' ? { ...result, problem: 'tunnel-lost' } : result);
    };
    child.once('error', (error) => {
      problem = { problem: 'tunnel-failed', terminal: true, detail: error.message };
      end(null);
    });
    child.once('close', (code) => end(code));
  }

  async close(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await closed;
    clearTimeout(timer);
  }
}
