import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LatchValueFile } from '../services/network/SimulatedNetworkManager.js';
import { LINUX_NETWORK_LATCH } from './profiles/linuxProfile.js';

// native/udev, the network latch: the rule is parsed by the real udev (udevadm test in a private
// mount namespace, as recoveryButtonUdev.test.ts does), and its RUN program is run for real with
// libgpiod's tools stood in on PATH (there is no GPIO chip here), then read back the way headsetd does.

const NATIVE = join(import.meta.dirname, '..', '..', 'native', 'udev');
const RULE = join(NATIVE, '61-headset-network-latch.rules');
const PROGRAM = join(NATIVE, 'headset-gpio-level');
const work = mkdtempSync(join(tmpdir(), 'latch-udev-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}
const canRunUdevTest =
  process.getuid?.() === 0 && has('udevadm') && has('unshare') && existsSync('/etc/udev/rules.d') && existsSync('/sys/devices/virtual/mem/null');

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

describe.skipIf(!canRunUdevTest)('the latch rule, as udev parses it (root, unshare and udevadm needed)', () => {
  it('is read without a complaint', () => {
    const output = udevadmTest({ '61-headset-network-latch.rules': readFileSync(RULE, 'utf8') });
    expect(output).toContain('Reading rules file: /etc/udev/rules.d/61-headset-network-latch.rules');
    expect(output).not.toMatch(/61-headset-network-latch\.rules:\d+/);
  });

  it('would be told apart from a broken one', () => {
    const broken = readFileSync(RULE, 'utf8').replace('SUBSYSTEM=="gpio"', 'SUBSYSTEM="gpio" BOGUS{x}=="1"');
    expect(udevadmTest({ '61-headset-network-latch.rules': broken })).toMatch(/61-headset-network-latch\.rules:\d+ /);
  });
});

/**
 * Stand-ins for libgpiod's gpiofind/gpioget (v1 or v2 command lines) for a board whose line
 * `network-latch` is offset 5 of `gpiochip2`, reading `raw` (the physical level; 0 = hotspot, the line pulled low).
 */
function fakeLibgpiod(version: 1 | 2, raw: 0 | 1): string {
  const bin = mkdtempSync(join(work, `gpiod-v${version}-`));
  const script = (body: string) => `#!/bin/sh\n${body}\n`;
  const level = `v=${raw}; for a in "$@"; do [ "$a" = --active-low ] || [ "$a" = -l ] && v=$((1 - ${raw})); done`;
  if (version === 1) {
    writeFileSync(join(bin, 'gpiofind'), script('[ "$1" = network-latch ] && { echo "gpiochip2 5"; exit 0; }; exit 1'));
    writeFileSync(
      join(bin, 'gpioget'),
      script(
        `[ "$1" = --version ] && { echo "gpioget (libgpiod) v1.6.3"; exit 0; }\n${level}\n[ "$2" = gpiochip2 ] && [ "$3" = 5 ] || exit 1\necho $v`,
      ),
    );
  } else {
    writeFileSync(
      join(bin, 'gpioget'),
      script(
        `[ "$1" = --version ] && { echo "gpioget (libgpiod) v2.1"; exit 0; }\n${level}\n[ "$2" = gpiochip2 ] && [ "$5" = network-latch ] || { echo "cannot find line" >&2; exit 1; }\necho $v`,
      ),
    );
  }
  for (const tool of ['gpiofind', 'gpioget']) if (existsSync(join(bin, tool))) chmodSync(join(bin, tool), 0o755);
  return bin;
}

/** Runs the rule's RUN line (its program and arguments, `%k` = `chip`, the output folder moved under `work`). */
function runRule(chip: string, bin: string | undefined): { status: number | null; out: string } {
  const run = /RUN\+="\/usr\/lib\/headset-control\/headset-gpio-level ([^"]+)"/.exec(readFileSync(RULE, 'utf8'))![1]!.split(' ');
  const outDir = join(mkdtempSync(join(work, 'dev-')), 'network-latch');
  const args = run.map((arg) => (arg === '%k' ? chip : arg === dirname(LINUX_NETWORK_LATCH) ? outDir : arg));
  const result = spawnSync('sh', [PROGRAM, ...args], { env: { PATH: `${bin ? `${bin}:` : ''}/usr/bin:/bin` }, encoding: 'utf8' });
  return { status: result.status, out: join(outDir, 'value') };
}

describe('headset-gpio-level for the latch (the rule’s RUN) and headsetd reading what it wrote', () => {
  it('writes where the linux profile reads the latch', () => {
    expect(readFileSync(RULE, 'utf8')).toContain(`%k network-latch ${dirname(LINUX_NETWORK_LATCH)}"`);
    expect(LINUX_NETWORK_LATCH.endsWith('/value')).toBe(true);
  });

  it('the line pulled low reads as hotspot, high as client, with libgpiod 1.x and 2.x', async () => {
    for (const version of [1, 2] as const) {
      const hotspot = runRule('gpiochip2', fakeLibgpiod(version, 0));
      expect(hotspot.status).toBe(0);
      expect(readFileSync(hotspot.out, 'utf8')).toBe('1\n');
      expect(await new LatchValueFile(hotspot.out).read()).toBe('hotspot');

      const client = runRule('gpiochip2', fakeLibgpiod(version, 1));
      expect(readFileSync(client.out, 'utf8')).toBe('0\n');
      expect(await new LatchValueFile(client.out).read()).toBe('client');
    }
  });

  it('writes nothing for another chip, or without libgpiod, and never fails the udev event; nothing written reads as client', async () => {
    for (const version of [1, 2] as const) {
      const other = runRule('gpiochip0', fakeLibgpiod(version, 0));
      expect(other.status).toBe(0);
      expect(existsSync(other.out)).toBe(false);
      expect(await new LatchValueFile(other.out).read()).toBe('client');
    }
    const none = runRule('gpiochip2', undefined);
    expect(none.status).toBe(0);
    expect(existsSync(none.out)).toBe(false);
  });

  it('refuses to run without its arguments', () => {
    expect(spawnSync('sh', [PROGRAM, 'gpiochip2'], { encoding: 'utf8' }).status).not.toBe(0);
  });
});
