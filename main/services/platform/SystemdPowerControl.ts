import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PowerControl } from './PowerControl.js';

/** Reboots a real device through systemd (the boot script then selects the slot). */
export class SystemdPowerControl implements PowerControl {
  async reboot(): Promise<void> {
    await promisify(execFile)('systemctl', ['reboot'], { timeout: 10_000 });
  }
}
