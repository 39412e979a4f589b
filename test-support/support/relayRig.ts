import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { relaySshdConfig } from './relaySshdConfig.js';

/** The accounts the rig uses: the relay's (the headset logs in there) and the headset's view account. */
export const RELAY_ACCOUNT = 'headset-relay';
export const VIEW_ACCOUNT = 'headset-support';

/** Why tests with a real sshd cannot run here, or null when they can. */
export function relayRigUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root: sshd chroots the view and switches to the support account';
  for (const tool of ['/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/ssh-keygen', '/usr/bin/sftp']) {
    if (spawnSync('test', ['-x', tool]).status !== 0) return `needs ${tool} (Debian: openssh-server, openssh-client)`;
  }
  return null;
}

/** Makes an account as the device image would (native/support/): no home, no shell, password `*` (not locked). */
export function ensureAccount(name: string): void {
  if (spawnSync('getent', ['passwd', name]).status !== 0) {
    execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name]);
  }
  execFileSync('usermod', ['-p', '*', name]);
  // sshd's privilege-separation folder.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function makeKey(path: string): { path: string; publicKey: string } {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', path]);
  return { path, publicKey: readFileSync(`${path}.pub`, 'utf8').trim() };
}

/**
 * A real relay: `sshd -D -e` on 127.0.0.1 with its own host key, its authorized_keys file (where
 * the headset's RelayConfigFile adds the session key), and a support person's key for the view.
 */
export class TestRelay {
  readonly dir = mkdtempSync(join(tmpdir(), 'relay-'));
  readonly hostKey = makeKey(join(this.dir, 'host_ed25519'));
  readonly staff = makeKey(join(this.dir, 'staff_ed25519'));
  readonly authorizedKeys = join(this.dir, 'authorized_keys');
  readonly lines: string[] = [];
  port = 0;
  private child: ChildProcess | undefined;

  constructor() {
    ensureAccount(RELAY_ACCOUNT);
    ensureAccount(VIEW_ACCOUNT);
    // sshd reads authorized_keys as the relay account: the folder and file must let it.
    chmodSync(this.dir, 0o755);
    writeFileSync(this.authorizedKeys, '', { mode: 0o644 });
  }

  /** Starts (or starts again, on the same port) the relay's sshd. */
  async start(port?: number): Promise<void> {
    this.port = port ?? (await freePort());
    const config = join(this.dir, 'sshd_config');
    writeFileSync(config, relaySshdConfig({ port: this.port, hostKey: this.hostKey.path, authorizedKeys: this.authorizedKeys, user: RELAY_ACCOUNT }));
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stderr! }).on('line', (line) => {
        this.lines.push(line);
        if (line.startsWith('Server listening on 127.0.0.1')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`relay sshd exited ${code}: ${this.lines.join(' | ')}`)));
    });
  }

  /** Stops the relay, its connections too (a relay going down). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    // Connections' processes carry their own session: end them by their parent link too.
    const { killProcessTree } = await import('../../main/services/support/processTree.js');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await killProcessTree(child.pid!);
    await exited;
  }

  /** The headset's relay file (support-relay.json) for this relay. */
  config(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name: 'Test support',
      host: '127.0.0.1',
      port: this.port,
      user: RELAY_ACCOUNT,
      hostKey: this.hostKey.publicKey,
      remotePort: 0,
      viewers: [{ name: 'Alice at support', key: this.staff.publicKey }],
      authorizedKeysFile: this.authorizedKeys,
      ...overrides,
    };
  }

  /**
   * Runs sftp commands as the support person, through the relay's forwarded port (batch mode:
   * `-b -` stops at the first failing command unless it starts with `-`).
   */
  sftp(relayPort: number, commands: string[]): { status: number; stdout: string; stderr: string } {
    const knownHosts = join(this.dir, 'view_known_hosts');
    const result = spawnSync(
      'sftp',
      [
        '-F',
        '/dev/null',
        '-i',
        this.staff.path,
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'BatchMode=yes',
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        '-o',
        'StrictHostKeyChecking=no',
        '-P',
        String(relayPort),
        '-b',
        '-',
        `${VIEW_ACCOUNT}@127.0.0.1`,
      ],
      { input: `${commands.join('\n')}\n`, encoding: 'utf8', timeout: 15_000 },
    );
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
