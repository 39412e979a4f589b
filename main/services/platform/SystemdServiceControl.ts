import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { SERVICE_UNIT_PATTERN } from '../../../src/update/manifest.js';
import { ServiceControlError, type ServiceControl } from './ServiceControl.js';

const run = promisify(execFile);

/**
 * systemd through `systemctl`, with a fixed argument list: the verb, `--`, and one unit name that
 * must match SERVICE_UNIT_PATTERN, so a name from a manifest can never become an option or a glob.
 * The units holding the inactive slot are listed in a file of the image, one per line ('#' comments);
 * so are the units that must run after every boot (the trial boot's health check): a list, not every
 * enabled unit, since an enabled oneshot unit is rightly 'inactive' once it has done its work.
 */
export class SystemdServiceControl implements ServiceControl {
  constructor(
    private readonly holdersFile = '/etc/headset/inactive-slot-holders',
    private readonly systemctl = 'systemctl',
    private readonly timeoutMs = 90_000,
    private readonly mustRunFile = '/etc/headset/must-run-units',
  ) {}

  stop(unit: string): Promise<void> {
    return this.call('stop', unit);
  }

  start(unit: string): Promise<void> {
    return this.call('start', unit);
  }

  holdersOfInactiveSlot(): Promise<string[]> {
    return unitList(this.holdersFile);
  }

  /** `systemctl is-active -- UNIT` for each listed unit: exit 0 only when it is active. */
  async notRunningAfterBoot(): Promise<string[]> {
    const notRunning: string[] = [];
    for (const unit of await unitList(this.mustRunFile)) {
      const active = await run(this.systemctl, ['is-active', '--', unit], { timeout: this.timeoutMs }).then(
        () => true,
        () => false,
      );
      if (!active) notRunning.push(unit);
    }
    return notRunning;
  }

  private async call(action: 'stop' | 'start', unit: string): Promise<void> {
    if (!SERVICE_UNIT_PATTERN.test(unit)) throw new ServiceControlError(unit, action, 'not a service unit name');
    try {
      await run(this.systemctl, [action, '--', unit], { timeout: this.timeoutMs });
    } catch (error) {
      // Exit 5: the unit is not loaded (this system does not have it), so nothing of it runs to stop.
      if (action === 'stop' && (error as { code?: unknown }).code === 5) return;
      const stderr = (error as { stderr?: string }).stderr?.trim();
      throw new ServiceControlError(unit, action, stderr || (error instanceof Error ? error.message : String(error)));
    }
  }
}

/** The unit names of a list file of the image, one per line ('#' comments); an absent file lists none. */
async function unitList(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => SERVICE_UNIT_PATTERN.test(line));
}
