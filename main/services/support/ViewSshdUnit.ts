import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { SyslogSocket } from './SyslogSocket.js';
import { freeLoopbackPort } from './ViewSshd.js';
import { viewSshdConfig, type ViewSshdSettings } from './viewSshdConfig.js';

const run = promisify(execFile);

/** The template shipped in native/systemd: one instance per session, named by the session's id. */
export const VIEW_SSHD_TEMPLATE = 'headset-support-view';
/** What polkit lets headsetd start and stop (native/polkit): the template with a session id, nothing else. */
export const VIEW_UNIT_PATTERN = /^headset-support-view@[0-9a-f]{12}\.service$/;

/** sshd's own syslog line (`<PRI>Mon dd hh:mm:ss sshd[PID]: text`): the text, or null for another sender. */
export function sshdSyslogText(message: string): string | null {
  const m = /^<\d+>(?:\w{3} [ \d]\d \d\d:\d\d:\d\d )?sshd(?:\[\d+\])?: (.*)$/s.exec(message.replace(/\0+$/, '').trim());
  return m ? m[1]! : null;
}

export interface ViewSshdUnitOptions {
  systemctlPath: string;
  sessionId: string;
  configPath: string;
  /** The socket the unit binds as sshd's /dev/log (BindPaths= in the template): sshd's own log lines. */
  logSocketPath: string;
  settings: Omit<ViewSshdSettings, 'port'>;
  onLine: (line: string) => void;
  onExit: (code: number | null) => void;
  readyTimeoutMs?: number;
  /** How often the unit is asked whether it still runs. */
  watchMs?: number;
}

/**
 * The view's sshd as a systemd unit (`headset-support-view@SESSION.service`, running as root so it may
 * chroot and drop to the support account) instead of headsetd's child: headsetd itself then needs no
 * capability. headsetd writes the config, starts the instance through systemctl (a polkit rule allows
 * exactly this template), and is ready when sshd says it listens on the socket bound as its /dev/log.
 * Stopping the unit ends every connection's process too: they are in its cgroup.
 */
export class ViewSshdUnit {
  port = 0;
  private readonly unit: string;
  private readonly log: SyslogSocket;
  private watch: NodeJS.Timeout | undefined;
  private waiting: ((line: string) => void) | undefined;
  private running = false;

  constructor(private readonly o: ViewSshdUnitOptions) {
    this.unit = `${VIEW_SSHD_TEMPLATE}@${o.sessionId}.service`;
    if (!VIEW_UNIT_PATTERN.test(this.unit)) throw new Error(`not a support session id: ${o.sessionId}`);
    this.log = new SyslogSocket(o.logSocketPath, (message) => {
      const text = sshdSyslogText(message);
      if (text === null) return;
      if (this.waiting) this.waiting(text);
      else o.onLine(text);
    });
  }

  /** Units have no pid of headsetd's: it cannot see them (ProtectProc=invisible). */
  get pid(): undefined {
    return undefined;
  }

  get unitName(): string {
    return this.unit;
  }

  async start(): Promise<void> {
    this.port = await freeLoopbackPort();
    await writeFile(this.o.configPath, viewSshdConfig({ ...this.o.settings, port: this.port }), { mode: 0o600 });
    await this.log.listen();
    const ready = new Promise<void>((resolve, reject) => {
      const said: string[] = [];
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`the view's sshd did not say it listens: ${said.slice(-3).join(' | ')}`));
      }, this.o.readyTimeoutMs ?? 15_000);
      this.waiting = (line) => {
        if (/^Server listening on 127\.0\.0\.1 port \d+\./.test(line)) {
          clearTimeout(timer);
          this.waiting = undefined;
          resolve();
        } else said.push(line);
      };
    });
    ready.catch(() => undefined);
    try {
      await this.systemctl('start');
    } catch (error) {
      this.waiting = undefined;
      await this.log.close();
      throw error;
    }
    this.running = true;
    try {
      await ready;
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.watch = setInterval(() => void this.checkAlive(), this.o.watchMs ?? 5000);
  }

  async stop(): Promise<void> {
    clearInterval(this.watch);
    this.watch = undefined;
    if (this.running) {
      this.running = false;
      await this.systemctl('stop').catch(() => undefined);
    }
    await this.log.close();
  }

  private async checkAlive(): Promise<void> {
    if (!this.running) return;
    const active = await this.systemctl('is-active').then(
      () => true,
      () => false,
    );
    if (!active && this.running) {
      this.running = false;
      clearInterval(this.watch);
      this.o.onExit(null);
    }
  }

  private async systemctl(verb: 'start' | 'stop' | 'is-active'): Promise<void> {
    // A fixed argument list: the unit name cannot become an option.
    await run(this.o.systemctlPath, [verb, '--', this.unit], { timeout: 60_000 }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`systemctl ${verb} ${this.unit}: ${error.stderr?.trim() || error.message}`);
    });
  }
}

/** Stops a session's unit left by a headsetd that did not end it (a crash, a restart). */
export async function stopViewUnit(systemctlPath: string, sessionId: string): Promise<void> {
  const unit = `${VIEW_SSHD_TEMPLATE}@${sessionId}.service`;
  if (!VIEW_UNIT_PATTERN.test(unit)) return;
  await run(systemctlPath, ['stop', '--', unit], { timeout: 60_000 }).catch(() => undefined);
}
