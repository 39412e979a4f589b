import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ComponentRegistry, liveVersion } from './ComponentRegistry.js';
import { capturedLog } from '../../../test-support/logging/capturedLog.js';

const dir = mkdtempSync(join(tmpdir(), 'components-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ComponentRegistry', () => {
  it('merges the files (later wins), the live versions (win over files) and the system', async () => {
    writeFileSync(join(dir, 'image.json'), JSON.stringify({ bootloader: '2.0.0', 'mcu-firmware': '1.0.0' }));
    writeFileSync(join(dir, 'factory.json'), JSON.stringify({ 'mcu-firmware': '1.2.0' }));
    // As U-Boot puts it in the device tree's /chosen (NUL-terminated).
    writeFileSync(join(dir, 'u-boot,version'), 'U-Boot 2023.01-00012-gabcdef\0');
    const registry = new ComponentRegistry({
      files: [join(dir, 'image.json'), join(dir, 'factory.json'), join(dir, 'absent.json')],
      live: [
        { name: 'bootloader', path: join(dir, 'u-boot,version') },
        { name: 'display-firmware', path: join(dir, 'absent') },
      ],
      systemVersion: async () => '1.4.0',
    });
    expect(await registry.versions()).toEqual({ bootloader: '2023.1.0', 'mcu-firmware': '1.2.0', system: '1.4.0' });
  });

  it('leaves out and logs entries that are not a component name with a canonical version, and files that are not JSON objects', async () => {
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({ bootloader: 'v2', 'Bad Name': '1.0.0', system: '9.9.9', display: 3, 'mcu-firmware': '1.0.0' }),
    );
    writeFileSync(join(dir, 'garbage.json'), 'not json');
    writeFileSync(join(dir, 'array.json'), '[]');
    const lines: string[] = [];
    const registry = new ComponentRegistry({
      files: [join(dir, 'bad.json'), join(dir, 'garbage.json'), join(dir, 'array.json')],
      systemVersion: async () => undefined,
      log: capturedLog(lines),
    });
    // The system's version comes from the slot records only, never from a file.
    expect(await registry.versions()).toEqual({ 'mcu-firmware': '1.0.0' });
    expect(lines).toHaveLength(6);
    expect(lines.join('\n')).toMatch(/"bootloader" is not a component name with a semantic version/);
    // Asked again (the UI polls system.info): the same files are not logged again...
    await registry.versions();
    await registry.versions();
    expect(lines).toHaveLength(6);
    // ...until a file changes.
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ bootloader: 'v3' }));
    expect(await registry.versions()).toEqual({});
    expect(lines).toHaveLength(7);
    expect(lines[6]).toMatch(/bad\.json: entry "bootloader"/);
  });

  it('reads firmware version strings leniently', () => {
    expect(liveVersion('v3.2\n')).toBe('3.2.0');
    expect(liveVersion('2024.04')).toBe('2024.4.0');
    expect(liveVersion('unknown')).toBeUndefined();
  });
});
