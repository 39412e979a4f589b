import { readFile } from 'node:fs/promises';

/** What firmware writes where the vendor wrote no serial number. */
const PLACEHOLDERS = /^(|0+|none|n\/a|default string|to be filled by o\.e\.m\.|system serial number|not specified|not applicable|123456789|x+)$/i;

/**
 * The headset's serial number, as printed on its label: the first of `paths` (the device tree's
 * serial-number, the SMBIOS product serial, or the simulated headset's copy) that holds a real one.
 * Null when none does: boards without one, or with a placeholder.
 */
export async function readSerialNumber(paths: readonly string[]): Promise<string | null> {
  for (const path of paths) {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    // The device tree's strings end in NUL.
    const serial = text.replace(/\0/g, '').trim();
    if (!PLACEHOLDERS.test(serial) && /^[\x21-\x7e]{1,64}$/.test(serial)) return serial;
  }
  return null;
}
