import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const UNITS = join(import.meta.dirname, '..', '..', 'native', 'systemd');

/**
 * The exposure each shipped unit is held to: headsetd as its own account with no capability (the
 * support view's sshd is the root unit below, started per session), the UI with Chromium's sandbox
 * working, the view's sshd (root: chroot, setuid), the crash dumps' hand-over and the wipe's erasure of
 * Crashpad's database (both as the UI's account). Lower these as units
 * tighten; never raise one to make a change pass.
 */
const THRESHOLDS = {
  'headsetd.service': 2.0,
  'headset-ui.service': 1.3,
  'headset-support-view@.service': 2.4,
  'headset-crashdumps-handoff.service': 0.4,
  'headset-crashdumps-erase.service': 0.4,
} as const;

interface Rating {
  exposure: number;
  exitCode: number;
  output: string;
}

/**
 * `systemd-analyze security --offline=true --threshold=N UNIT`: the overall exposure it prints, and its
 * exit code. The threshold is in tenths (0..100), the printed level in units (0.0..10.0).
 */
async function rate(unitPath: string, threshold: number): Promise<Rating> {
  const tenths = Math.round(threshold * 10);
  const result = await run('systemd-analyze', ['security', '--offline=true', `--threshold=${tenths}`, '--no-pager', unitPath], {
    env: { ...process.env, SYSTEMD_COLORS: '0', LC_ALL: 'C' },
  }).then(
    ({ stdout }) => ({ exitCode: 0, output: stdout }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      exitCode: error.code ?? -1,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );
  const match = /Overall exposure level for \S+: (\d+\.\d)/.exec(result.output);
  if (!match) throw new Error(`systemd-analyze printed no overall exposure:\n${result.output}`);
  return { exposure: Number(match[1]), ...result };
}

/** The values of one directive of a unit file (every line of it, space-separated words). */
function directive(unitPath: string, name: string): string[] {
  return readFileSync(unitPath, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith(`${name}=`))
    .flatMap((line) => line.slice(name.length + 1).split(/\s+/))
    .filter(Boolean);
}

const scratch = mkdtempSync(join(tmpdir(), 'unit-hardening-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the shipped systemd units, rated by systemd-analyze security --offline=true', () => {
  for (const [unit, threshold] of Object.entries(THRESHOLDS)) {
    it(`${unit} stays at or under an exposure of ${threshold}`, async () => {
      const rating = await rate(join(UNITS, unit), threshold);
      expect(rating.exposure, rating.output).toBeLessThanOrEqual(threshold);
      expect(rating.exitCode, rating.output).toBe(0);
    });
  }

  it('fails a unit whose sandboxing lines are gone (the check can fail)', async () => {
    const original = readFileSync(join(UNITS, 'headsetd.service'), 'utf8');
    const loosened = original
      .split('\n')
      .filter((line) => !/^(Protect|Private|Restrict|CapabilityBoundingSet|SystemCall|DevicePolicy|DeviceAllow)/.test(line))
      .join('\n');
    const path = join(scratch, 'headsetd.service');
    writeFileSync(path, loosened);
    const rating = await rate(path, THRESHOLDS['headsetd.service']);
    expect(rating.exposure).toBeGreaterThan(THRESHOLDS['headsetd.service']);
    expect(rating.exitCode).not.toBe(0);
  });

  it("keeps Chromium's namespace sandbox possible in the UI's unit", () => {
    const ui = join(UNITS, 'headset-ui.service');
    // The namespaces the zygote makes, and the calls it makes in them.
    expect(directive(ui, 'RestrictNamespaces')).toEqual(expect.arrayContaining(['user', 'pid', 'net']));
    expect(directive(ui, 'SystemCallFilter')).toEqual(expect.arrayContaining(['chroot', 'capset']));
    // Crashpad's handler reads a crashed renderer with ptrace: without it, no crash dumps for headsetd.
    expect(directive(ui, 'SystemCallFilter')).toContain('ptrace');
    expect(directive(ui, 'SystemCallFilter')).not.toContain('~@debug');
    // Never root, never the setuid helper.
    expect(directive(ui, 'User')).toEqual(['headset-ui']);
    expect(directive(ui, 'NoNewPrivileges')).toEqual(['true']);
  });

  it('runs headsetd as its own account with no capability, seeing only its own processes', () => {
    const unit = join(UNITS, 'headsetd.service');
    expect(directive(unit, 'User')).toEqual(['headsetd']);
    expect(directive(unit, 'CapabilityBoundingSet')).toEqual([]);
    expect(directive(unit, 'AmbientCapabilities')).toEqual([]);
    expect(directive(unit, 'ProtectProc')).toEqual(['invisible']);
    expect(directive(unit, 'SystemCallFilter')).not.toContain('chroot');
  });

  it("gives the view's sshd unit what sshd uses for the chroot, and no broader capability", () => {
    const unit = join(UNITS, 'headset-support-view@.service');
    const caps = directive(unit, 'CapabilityBoundingSet');
    expect(caps).toEqual(expect.arrayContaining(['CAP_SYS_CHROOT', 'CAP_SETUID', 'CAP_SETGID']));
    for (const broad of ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_MODULE', 'CAP_SYS_PTRACE', 'CAP_DAC_OVERRIDE'])
      expect(caps).not.toContain(broad);
    // The config and the log socket are where headsetd writes them (ViewSshdUnit, SupportService).
    expect(directive(unit, 'ExecStart')).toEqual(['/usr/sbin/sshd', '-D', '-f', '/run/headset-support/session/sshd_config']);
    expect(directive(unit, 'BindPaths')).toEqual(['/run/headset-support/session/sshd-log:/dev/log']);
  });
});
