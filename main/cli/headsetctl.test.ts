import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHeadsetctl } from './cli.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const root = mkdtempSync(join(tmpdir(), 'hc-cli-'));
const keys = join(root, 'keys');
const MiB = 1024 * 1024;
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runHeadsetctl(argv, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) });
  return { code, stdout, stderr };
}

function path(name: string): string {
  return join(root, name);
}

beforeAll(async () => {
  writeFileSync(path('rootfs.img'), Buffer.concat([randomBytes(300_000), Buffer.alloc(300_000, 'data')]));
  writeFileSync(path('boot.img'), 'vmlinuz '.repeat(10_000));
  writeFileSync(path('notes.md'), 'Faster boot.\nFixes the Wi-Fi page.\n');
  expect((await run('keys', 'generate', '--out', keys)).code).toBe(0);
});

describe('headsetctl (in process)', () => {
  it('prints usage: --help exits 0, no command or an unknown one exits 2', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    for (const command of [
      'keys generate',
      'bundle create',
      'bundle delta',
      'bundle inspect',
      'bundle verify',
      'repo init',
      'repo add',
      'repo publish',
      'repo rotate-root',
      'repo status',
    ])
      expect(help.stdout).toContain(command);
    expect((await run()).code).toBe(2);
    const unknown = await run('bundle', 'explode');
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^INVALID_INPUT: unknown command 'bundle explode'/);
    const sub = await run('bundle', 'create', '--help');
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--min-version');
  });

  it('keys generate writes every role and refuses to overwrite', async () => {
    for (const role of ['root', 'targets', 'snapshot', 'timestamp', 'bundle']) {
      expect(statSync(join(keys, `${role}.key`)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(keys, `${role}.pub`), 'utf8')).toMatch(
        /^\{"keytype":"ed25519","keyval":\{"public":"[0-9a-f]{64}"\},"scheme":"ed25519"\}\n$/,
      );
    }
    const again = await run('keys', 'generate', '--out', keys);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^KEY_EXISTS: /);
    expect((await run('keys', 'generate')).code).toBe(2);
  });

  it('bundle create, inspect and verify', async () => {
    const created = await run(
      'bundle',
      'create',
      '--version',
      '1.4.0',
      '--compatible',
      'hs-1',
      '--image',
      `rootfs=${path('rootfs.img')}`,
      '--image',
      `kernel:boot=${path('boot.img')}`,
      '--key',
      join(keys, 'bundle.key'),
      '--out',
      path('a.bundle'),
      '--min-version',
      '1.2.0',
      '--requires',
      'bootloader >=2.0.0',
      '--requires',
      'mcu ^3.1.0',
      '--notes',
      path('notes.md'),
      '--restart-service',
      'headset-tracking.service',
      '--restart-service',
      'getty@tty1.service',
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('version 1.4.0 for hs-1');

    const inspected = await run('bundle', 'inspect', path('a.bundle'));
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toContain('NOT CHECKED');
    for (const text of [
      'version      1.4.0',
      'compatible   hs-1',
      'min version  1.2.0',
      'bootloader >=2.0.0, mcu ^3.1.0',
      'kernel -> slot boot',
      'services     headset-tracking.service, getty@tty1.service',
      '  Fixes the Wi-Fi page.',
    ])
      expect(inspected.stdout).toContain(text);

    const json = await run('bundle', 'inspect', path('a.bundle'), '--json');
    const parsed = JSON.parse(json.stdout) as {
      signatureVerified: boolean;
      length: number;
      manifest: { images: { name: string; uncompressed: { length: number } }[]; notes: string };
    };
    expect(parsed.signatureVerified).toBe(false);
    expect(parsed.length).toBe(statSync(path('a.bundle')).size);
    expect(parsed.manifest.images.map((i) => [i.name, i.uncompressed.length])).toEqual([
      ['rootfs', 600_000],
      ['kernel', 80_000],
    ]);
    expect(parsed.manifest.notes).toBe(readFileSync(path('notes.md'), 'utf8'));

    for (const extra of [[], ['--deep'], ['--trust', join(keys, 'root.pub')]]) {
      const verified = await run('bundle', 'verify', path('a.bundle'), '--trust', join(keys, 'bundle.pub'), ...extra);
      expect(verified).toMatchObject({ code: 0, stderr: '' });
      expect(verified.stdout).toMatch(/^OK: /);
    }
  });

  it('bundle verify fails with the code on stderr and reports nothing as valid', async () => {
    await run(
      'bundle',
      'create',
      '--version',
      '1.0.0',
      '--compatible',
      'hs-1',
      '--image',
      `rootfs=${path('rootfs.img')}`,
      '--key',
      join(keys, 'bundle.key'),
      '--out',
      path('b.bundle'),
    );
    const good = readFileSync(path('b.bundle'));
    const tampered = Buffer.from(good);
    tampered[good.length - 100] = tampered[good.length - 100]! ^ 0xff;
    const variants: [string, Buffer | null, string][] = [
      ['untrusted', null, 'BUNDLE_UNTRUSTED_KEY'],
      ['tampered', tampered, 'BUNDLE_PAYLOAD_MISMATCH'],
      ['truncated', good.subarray(0, good.length - 1), 'BUNDLE_TRUNCATED'],
      ['trailing', Buffer.concat([good, Buffer.from('\n')]), 'BUNDLE_TRAILING_DATA'],
      ['garbage', Buffer.from('#!/bin/sh\necho hello\n'), 'BUNDLE_MALFORMED'],
    ];
    for (const [name, bytes, code] of variants) {
      const file = bytes ? path(`${name}.bundle`) : path('b.bundle');
      if (bytes) writeFileSync(file, bytes);
      const result = await run('bundle', 'verify', file, '--trust', join(keys, bytes ? 'bundle.pub' : 'root.pub'));
      expect(result.code, name).toBe(1);
      expect(result.stdout, name).toBe('');
      expect(result.stderr, name).toMatch(new RegExp(`^${code}: `));
    }
  });

  it('refuses a wrong command line with usage (exit 2), bad values and files with a code (exit 1)', async () => {
    const base = ['bundle', 'create', '--version', '1.0.0', '--compatible', 'hs-1', '--key', join(keys, 'bundle.key'), '--out', path('c.bundle')];
    for (const args of [
      [...base],
      [...base, '--image', 'rootfs'],
      [...base, '--image', 'Root=x'],
      [...base, '--image', `rootfs=${path('rootfs.img')}`, '--requires', 'bootloader'],
      [...base, '--image', `rootfs=${path('rootfs.img')}`, '--level', '0'],
      [...base, '--image', `rootfs=${path('rootfs.img')}`, '--restart-service=--now'],
      [...base, '--image', `rootfs=${path('rootfs.img')}`, '--restart-service', 'tracking'],
      [...base, '--image', `rootfs=${path('rootfs.img')}`, '--frobnicate'],
      ['bundle', 'verify', path('a.bundle')],
      ['bundle', 'inspect'],
    ]) {
      const result = await run(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/^INVALID_INPUT: .*\n\nusage: headsetctl /);
    }
    const expectFailure = async (args: string[], code: string) => {
      const result = await run(...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toMatch(new RegExp(`^${code}: `));
    };
    await expectFailure(
      [
        'bundle',
        'create',
        '--version',
        'v1',
        '--compatible',
        'hs-1',
        '--image',
        `rootfs=${path('rootfs.img')}`,
        '--key',
        join(keys, 'bundle.key'),
        '--out',
        path('c.bundle'),
      ],
      'INVALID_INPUT',
    );
    await expectFailure(
      [
        'bundle',
        'create',
        '--version',
        '1.0.0',
        '--compatible',
        'hs-1',
        '--image',
        `rootfs=${path('missing.img')}`,
        '--key',
        join(keys, 'bundle.key'),
        '--out',
        path('c.bundle'),
      ],
      'INVALID_INPUT',
    );
    await expectFailure(['bundle', 'verify', path('missing.bundle'), '--trust', join(keys, 'bundle.pub')], 'INVALID_INPUT');
    await expectFailure(['bundle', 'verify', path('a.bundle'), '--trust', join(keys, 'bundle.key')], 'KEY_INVALID');
    writeFileSync(path('public-as-private.key'), readFileSync(join(keys, 'bundle.pub')), { mode: 0o600 });
    await expectFailure(
      [
        'bundle',
        'create',
        '--version',
        '1.0.0',
        '--compatible',
        'hs-1',
        '--image',
        `rootfs=${path('rootfs.img')}`,
        '--key',
        path('public-as-private.key'),
        '--out',
        path('c.bundle'),
      ],
      'KEY_INVALID',
    );
  });
});

describe('headsetctl (built, in a child process)', () => {
  const cacheDir = join(repo, 'node_modules/.cache/headsetctl-test');
  const binary = join(cacheDir, 'headsetctl.mjs');
  // Prints the child's peak resident memory on exit.
  const peakRss = 'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss="+process.resourceUsage().maxRSS+"\\n"))';

  beforeAll(async () => {
    // Built like scripts/build.mjs builds dist/headsetctl.mjs, into a cache folder inside the repo so
    // that its external packages resolve from node_modules; dist/ is left to the real build.
    mkdirSync(cacheDir, { recursive: true });
    await esbuild.build({
      entryPoints: [join(repo, 'main/cli/headsetctl.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      packages: 'external',
      outfile: binary,
      logLevel: 'warning',
    });
  });

  function spawn(...args: string[]) {
    const result = spawnSync(process.execPath, ['--import', peakRss, binary, ...args], { encoding: 'utf8' });
    const peak = Number(/maxrss=(\d+)/.exec(result.stderr)?.[1]) * 1024;
    return { code: result.status, stdout: result.stdout, stderr: result.stderr.replace(/maxrss=\d+\n/, ''), peak };
  }

  it('runs as an executable: --help, and a failure with CODE: message on stderr', () => {
    expect(readFileSync(binary, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const help = spawn('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('bundle verify');
    const failed = spawn('bundle', 'verify', path('a.bundle'), '--trust', join(keys, 'root.pub'));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^BUNDLE_UNTRUSTED_KEY: /);
  });

  it('creates and verifies a 20 MiB image in bounded memory: peak memory does not grow with the image', () => {
    const peaks: Record<string, { create: number; verify: number }> = {};
    for (const [name, size] of [
      ['20', 20 * MiB],
      ['64', 64 * MiB],
    ] as const) {
      const image = path(`big-${name}.img`);
      for (let written = 0; written < size; written += MiB) appendFileSync(image, randomBytes(MiB)); // incompressible
      const out = path(`big-${name}.bundle`);
      const created = spawn(
        'bundle',
        'create',
        '--version',
        '2.0.0',
        '--compatible',
        'hs-1',
        '--image',
        `rootfs=${image}`,
        '--key',
        join(keys, 'bundle.key'),
        '--out',
        out,
      );
      expect(created.stderr).toBe('');
      const verified = spawn('bundle', 'verify', out, '--trust', join(keys, 'bundle.pub'), '--deep');
      expect(verified.code, verified.stderr).toBe(0);
      peaks[name] = { create: created.peak, verify: verified.peak };
      rmSync(image);
      rmSync(out);
    }
    // Loading the image whole would add at least 44 MiB (the size difference) to each peak, twice that
    // with the compressed copy; streaming adds only the collector's slack.
    expect(peaks['64']!.create - peaks['20']!.create, JSON.stringify(peaks)).toBeLessThan(24 * MiB);
    expect(peaks['64']!.verify - peaks['20']!.verify, JSON.stringify(peaks)).toBeLessThan(24 * MiB);
    expect(peaks['20']!.verify).toBeLessThan(256 * MiB);
  }, 60_000);
});
