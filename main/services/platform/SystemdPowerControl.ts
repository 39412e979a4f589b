import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PowerControl } from './PowerControl.js';

/** Reboots or switches off a real device through systemd (at a reboot the boot script then selects the slot). */
export class SystemdPowerControl implements PowerControl {
  async reboot(): Promise<void> {
    await promisify(execFile)('systemctl', ['reboot'], { timeout: 10_000 });
  }

  async powerOff(): Promise<void> {
    await promisify(execFile)('systemctl', ['poweroff'], { timeout: 10_000 });
  }
}
