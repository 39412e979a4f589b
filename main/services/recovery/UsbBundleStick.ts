import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BundleStick } from '../../../src/recovery/ports.js';
import type { ExportMedium } from '../logging/ExportMedium.js';

/** The bundles (*.hcb files) at the top level of the USB stick the log exports use. */
export class UsbBundleStick implements BundleStick {
  constructor(private readonly medium: ExportMedium) {}

  async bundles(): Promise<Array<{ name: string; path: string }> | undefined> {
    const stick = await this.medium.locate();
    if (!stick) return undefined;
    const entries = await readdir(stick, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.hcb'))
      .map((entry) => ({ name: entry.name, path: join(stick, entry.name) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
