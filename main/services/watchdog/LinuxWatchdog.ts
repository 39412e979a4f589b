import { open, type FileHandle } from 'node:fs/promises';
import type { WatchdogDevice } from './ports.js';

/**
 * /dev/watchdog: any write pets it; writing "V" before closing disarms it (the magic close), so a
 * deliberate stop does not reboot the headset while a crash or a hang does.
 */
export class LinuxWatchdog implements WatchdogDevice {
  private constructor(private readonly handle: FileHandle) {}

  /** Undefined when the device is absent or taken (systemd's RuntimeWatchdogSec holds it then). */
  static async open(path = '/dev/watchdog'): Promise<LinuxWatchdog | undefined> {
    try {
      return new LinuxWatchdog(await open(path, 'w'));
    } catch {
      return undefined;
    }
  }

  async pet(): Promise<void> {
    await this.handle.write('\0');
  }

  async release(): Promise<void> {
    await this.handle.write('V');
    await this.handle.close();
  }
}
