import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GpioValueFile } from '../services/mode/GpioValueFile.js';
import { LINUX_SUPPORT_SWITCH } from './profiles/linuxProfile.js';

// native/support/headset-support-switch (the switch's writer, run by its systemd unit): run for
// real with libgpiod's gpioget/gpiofind/gpiomon stood in on PATH (there is no GPIO chip here),
// then read back the way headsetd's linux profile does.

const PROGRAM = join(import.meta.dirname, '..', '..', 'native', 'support', 'headset-support-switch');
const work = mkdtempSync(join(tmpdir(), 'support-switch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * libgpiod's tools for a board whose `support-switch` is offset 9 of `gpiochip0`: the physical
 * level `raw` now (0 = on, the switch pulls it low), then gpiomon prints `edges` (its numeric `%e`:
 * 1.x 1 rising, 0 falling; 2.x 1 rising, 2 falling) and exits, as when the chip goes away.
 */
function fakeLibgpiod(version: 1 | 2, raw: 0 | 1, edges: string[], lineFound = true): string {
  const bin = mkdtempSync(join(work, `gpiod-v${version}-`));
  const script = (body: string) => `#!/bin/sh\n${body}\n`;
  const level = `v=${raw}; for a in "$@"; do [ "$a" = --active-low ] && v=$((1 - ${raw})); done`;
  const where = version === 1 ? '[ "$2" = gpiochip0 ] && [ "$3" = 9 ]' : '[ "$3" = support-switch ]';
  writeFileSync(
    join(bin, 'gpioget'),
    script(
      `[ "$1" = --version ] && { echo "gpioget (libgpiod) v${version === 1 ? '1.6.3' : '2.1'}"; exit 0; }\n${level}\n${where} || exit 1\necho $v`,
    ),
  );
  writeFileSync(join(bin, 'gpiomon'), script(edges.map((edge) => `echo ${edge}`).join('\n')));
  if (version === 1) writeFileSync(join(bin, 'gpiofind'), script(lineFound ? 'echo "gpiochip0 9"' : 'exit 1'));
  for (const tool of ['gpiofind', 'gpioget', 'gpiomon']) if (existsSync(join(bin, tool))) chmodSync(join(bin, tool), 0o755);
  return bin;
}

function run(bin: string) {
  const out = join(mkdtempSync(join(work, 'dev-')), 'support-switch');
  const result = spawnSync('sh', [PROGRAM], { env: { PATH: `${bin}:/usr/bin:/bin`, HEADSET_SUPPORT_DIR: out }, encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, file: join(out, 'value') };
}

describe('headset-support-switch (the switch’s watcher) and headsetd reading what it wrote', () => {
  it('writes where the linux profile reads', () => {
    expect(readFileSync(PROGRAM, 'utf8')).toContain(`out="\${HEADSET_SUPPORT_DIR:-${dirname(LINUX_SUPPORT_SWITCH)}}"`);
  });

  it('writes the level at start (the line pulled low is on) and follows each edge, with libgpiod 1.x and 2.x', async () => {
    for (const version of [1, 2] as const) {
      const on = run(fakeLibgpiod(version, 0, []));
      expect(readFileSync(on.file, 'utf8')).toBe('1\n');
      expect(await new GpioValueFile(on.file).isHeld()).toBe(true);

      const off = run(fakeLibgpiod(version, 1, []));
      expect(readFileSync(off.file, 'utf8')).toBe('0\n');

      // Off at start, switched on, then off again: the last edge is what stays.
      const rising = '1';
      const falling = version === 1 ? '0' : '2';
      expect(readFileSync(run(fakeLibgpiod(version, 1, [rising])).file, 'utf8')).toBe('1\n');
      const back = run(fakeLibgpiod(version, 1, [rising, falling]));
      expect(readFileSync(back.file, 'utf8')).toBe('0\n');
      expect(await new GpioValueFile(back.file).isHeld()).toBe(false);
    }
  });

  it('without the line, fails (its unit starts it again) and writes no value: no file reads as off', async () => {
    const v1 = run(fakeLibgpiod(1, 0, ['1'], false));
    const v2bin = fakeLibgpiod(2, 0, ['1']);
    writeFileSync(
      join(v2bin, 'gpioget'),
      '#!/bin/sh\n[ "$1" = --version ] && { echo "gpioget (libgpiod) v2.1"; exit 0; }\necho "cannot find line" >&2; exit 1\n',
    );
    for (const missing of [v1, run(v2bin)]) {
      expect(missing.status).not.toBe(0);
      expect(existsSync(missing.file)).toBe(false);
      expect(await new GpioValueFile(missing.file).isHeld()).toBe(false);
    }
  });
});
