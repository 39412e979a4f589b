import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSerialNumber } from './SerialNumber.js';

describe('readSerialNumber', () => {
  let dir: string;
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('takes the first real serial, skipping missing files and firmware placeholders', async () => {
    dir = await mkdtemp(join(tmpdir(), 'serial-'));
    const tree = join(dir, 'serial-number');
    const dmi = join(dir, 'product_serial');
    await writeFile(tree, 'To be filled by O.E.M.\0');
    await writeFile(dmi, 'HC1-2026-7F3K9Q\n');
    expect(await readSerialNumber([join(dir, 'missing'), tree, dmi])).toBe('HC1-2026-7F3K9Q');
    await writeFile(tree, 'SN0042\0');
    expect(await readSerialNumber([tree, dmi])).toBe('SN0042');
  });

  it('is null when no file holds one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'serial-'));
    const dmi = join(dir, 'product_serial');
    for (const placeholder of ['', '0000000', 'Default string', 'System Serial Number', 'a serial with spaces']) {
      await writeFile(dmi, `${placeholder}\n`);
      expect(await readSerialNumber([dmi]), placeholder).toBeNull();
    }
    expect(await readSerialNumber([join(dir, 'missing')])).toBeNull();
  });
});
