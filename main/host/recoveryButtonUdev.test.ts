import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GpioValueFile } from '../services/mode/GpioValueFile.js';
import { LINUX_RECOVERY_BUTTON } from './composition.js';

// native/udev: the rule is parsed by the real udev (udevadm test, in a private mount namespace so
// the machine's rules are untouched), and the RUN program is run for real with libgpiod's tools
// stood in on PATH (the edge: there is no GPIO chip here), then read back the way headsetd does.

const NATIVE = join(import.meta.dirname, '..', '..', 'native', 'udev');
const RULE = join(NATIVE, '60-headset-recovery-button.rules');
const PROGRAM = join(NATIVE, 'headset-recovery-button');
const work = mkdtempSync(join(tmpdir(), 'recovery-udev-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}
const canRunUdevTest =
  process.getuid?.() === 0 && has('udevadm') && has('unshare') && existsSync('/etc/udev/rules.d') && existsSync('/sys/devices/virtual/mem/null');

/** udevadm test with only `rules` in /etc/udev/rules.d: what it says about them. */
function udevadmTest(rules: Record<string, string>): string {
  const dir = mkdtempSync(join(work, 'rules-'));
  for (const [name, text] of Object.entries(rules)) writeFileSync(join(dir, name), text);
  const result = spawnSync(
    'unshare',
    ['--mount', 'sh', '-c', `mount --bind "$0" /etc/udev/rules.d && udevadm test --action=add /sys/devices/virtual/mem/null`, dir],
    { encoding: 'utf8' },
  );
  return `${result.stdout}${result.stderr}`;
}

describe.skipIf(!canRunUdevTest)('the udev rule, as udev parses it (root, unshare and udevadm needed)', () => {
  it('is read without a complaint', () => {
    const output = udevadmTest({ '60-headset-recovery-button.rules': readFileSync(RULE, 'utf8') });
    expect(output).toContain('Reading rules file: /etc/udev/rules.d/60-headset-recovery-button.rules');
    expect(output).not.toMatch(/60-headset-recovery-button\.rules:\d+/);
  });

  it('would be told apart from a broken one', () => {
    const broken = readFileSync(RULE, 'utf8').replace('KERNEL=="gpiochip[0-9]*"', 'KERNEL="gpiochip[0-9]*" BOGUS{x}=="1"');
    expect(udevadmTest({ '60-headset-recovery-button.rules': broken })).toMatch(/60-headset-recovery-button\.rules:\d+ /);
  });
});

/**
 * Stand-ins for libgpiod's gpiofind/gpioget (v1 or v2 command lines) for a board whose line
 * `recovery-button` is offset 17 of `gpiochip1`, reading `raw` (the physical level; 0 = pressed).
 */
function fakeLibgpiod(version: 1 | 2, raw: 0 | 1): string {
  const bin = mkdtempSync(join(work, `gpiod-v${version}-`));
  const script = (body: string) => `#!/bin/sh\n${body}\n`;
  // Both honour --active-low as libgpiod does: the logical value is the inverted level.
  const level = `v=${raw}; for a in "$@"; do [ "$a" = --active-low ] || [ "$a" = -l ] && v=$((1 - ${raw})); done`;
  if (version === 1) {
    writeFileSync(join(bin, 'gpiofind'), script('[ "$1" = recovery-button ] && { echo "gpiochip1 17"; exit 0; }; exit 1'));
    writeFileSync(
      join(bin, 'gpioget'),
      script(
        `[ "$1" = --version ] && { echo "gpioget (libgpiod) v1.6.3"; exit 0; }\n${level}\n[ "$2" = gpiochip1 ] && [ "$3" = 17 ] || exit 1\necho $v`,
      ),
    );
  } else {
    writeFileSync(
      join(bin, 'gpioget'),
      script(
        `[ "$1" = --version ] && { echo "gpioget (libgpiod) v2.1"; exit 0; }\n${level}\n[ "$2" = gpiochip1 ] && [ "$5" = recovery-button ] || { echo "cannot find line" >&2; exit 1; }\necho $v`,
      ),
    );
  }
  for (const tool of ['gpiofind', 'gpioget']) if (existsSync(join(bin, tool))) chmodSync(join(bin, tool), 0o755);
  return bin;
}

/** Runs the udev RUN program for `chip` with only `bin` and the basic tools on PATH. */
function runProgram(chip: string, bin: string | undefined): { status: number | null; out: string } {
  const out = mkdtempSync(join(work, 'dev-'));
  const result = spawnSync('sh', [PROGRAM, chip], {
    env: { PATH: `${bin ? `${bin}:` : ''}/usr/bin:/bin`, HEADSET_RECOVERY_DIR: join(out, 'headset', 'recovery-button') },
    encoding: 'utf8',
  });
  return { status: result.status, out: join(out, 'headset', 'recovery-button', 'value') };
}

describe("headset-recovery-button (the rule's RUN program) and headsetd reading what it wrote", () => {
  it('writes the logical level of the active-low line: pressed (low) reads as held', async () => {
    for (const version of [1, 2] as const) {
      const pressed = runProgram('gpiochip1', fakeLibgpiod(version, 0));
      expect(pressed.status).toBe(0);
      expect(readFileSync(pressed.out, 'utf8')).toBe('1\n');
      expect(await new GpioValueFile(pressed.out).isHeld()).toBe(true);

      const released = runProgram('gpiochip1', fakeLibgpiod(version, 1));
      expect(readFileSync(released.out, 'utf8')).toBe('0\n');
      expect(await new GpioValueFile(released.out).isHeld()).toBe(false);
    }
  });

  it('writes nothing for another chip, or without libgpiod, and never fails the udev event; nothing written reads as not held', async () => {
    for (const version of [1, 2] as const) {
      const other = runProgram('gpiochip0', fakeLibgpiod(version, 0));
      expect(other.status).toBe(0);
      expect(existsSync(other.out)).toBe(false);
      expect(await new GpioValueFile(other.out).isHeld()).toBe(false);
    }
    const none = runProgram('gpiochip1', undefined);
    expect(none.status).toBe(0);
    expect(existsSync(none.out)).toBe(false);
  });

  it('writes where the linux profile reads, and the rule runs it with the chip name', () => {
    expect(readFileSync(PROGRAM, 'utf8')).toContain(`out="\${HEADSET_RECOVERY_DIR:-${dirname(LINUX_RECOVERY_BUTTON)}}"`);
    expect(readFileSync(RULE, 'utf8')).toContain('RUN+="/usr/lib/headset-control/headset-recovery-button %k"');
  });
});
