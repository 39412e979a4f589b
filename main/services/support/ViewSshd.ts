import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { killProcessTree } from './processTree.js';
import { viewSshdConfig, type ViewSshdSettings } from './viewSshdConfig.js';

/**
 * The view's sshd (`sshd -D -e -f CONFIG`) for one session: started on a free loopback port,
 * ready once it says it listens; every stderr line goes to `onLine` (logins, disconnects).
 */
export class ViewSshd {
  private child: ChildProcess | undefined;
  port = 0;

  constructor(
    private readonly sshdPath: string,
    private readonly configPath: string,
    private readonly settings: Omit<ViewSshdSettings, 'port'>,
    private readonly onLine: (line: string) => void,
    private readonly onExit: (code: number | null) => void,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    let lastError: Error | undefined;
    // A port found free can be taken before sshd binds it: try another then.
    for (let attempt = 0; attempt < 3; attempt++) {
      this.port = await freeLoopbackPort();
      await writeFile(this.configPath, viewSshdConfig({ ...this.settings, port: this.port }), { mode: 0o600 });
      try {
        await this.spawnAndWait();
        return;
      } catch (error) {
        lastError = error as Error;
      }
    }
    throw lastError ?? new Error('sshd did not start');
  }

  private spawnAndWait(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.sshdPath, ['-D', '-e', '-f', this.configPath], { stdio: ['ignore', 'ignore', 'pipe'], env: {} });
      this.child = child;
      let ready = false;
      const said: string[] = [];
      createInterface({ input: child.stderr! }).on('line', (line) => {
        if (!ready && /^Server listening on 127\.0\.0\.1 port \d+\./.test(line)) {
          ready = true;
          resolve();
          return;
        }
        if (!ready) said.push(line);
        this.onLine(line);
      });
      child.once('error', (error) => {
        if (!ready) reject(error);
      });
      child.once('exit', (code) => {
        if (this.child === child) this.child = undefined;
        if (!ready) reject(new Error(`sshd exited (${code}): ${said.slice(-3).join(' | ')}`));
        else this.onExit(code);
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child?.pid || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // The connections' own sshd processes too: they would outlive the listener.
    await killProcessTree(child.pid);
    await exited;
  }
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
