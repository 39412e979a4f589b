import { readFile } from 'node:fs/promises';
import type { HardwareIdSource } from './ports.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Firmware placeholders seen in the field instead of a real id. */
const PLACEHOLDERS = new Set([
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '03000200-0400-0500-0006-000700080009',
]);

/**
 * The SMBIOS product UUID (`/sys/class/dmi/id/product_uuid`, readable by root), or the simulated
 * device's copy of it. Boards without one, or with a placeholder, report none.
 */
export class DmiProductUuid implements HardwareIdSource {
  constructor(private readonly path = '/sys/class/dmi/id/product_uuid') {}

  async read(): Promise<string | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return undefined;
    }
    const id = text.trim().toLowerCase();
    return UUID.test(id) && !PLACEHOLDERS.has(id) ? id : undefined;
  }
}
