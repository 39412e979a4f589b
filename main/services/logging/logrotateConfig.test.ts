import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * native/logrotate/headset-os checked by the real logrotate: the config with /var/log/ rewritten to
 * a temporary folder and a state file there, first dry (`-d`: the decisions it would take), then for
 * real (`-f`: the files it rotates and compresses).
 */
const LOGROTATE = '/usr/sbin/logrotate';
const config = readFileSync(join(import.meta.dirname, '../../../native/logrotate/headset-os'), 'utf8');
const root = mkdtempSync(join(tmpdir(), 'logrotate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const log = join(root, 'var/log');
const conf = join(root, 'headset-os');
const state = join(root, 'state');
const syslog = 'a'.repeat(5 * 1024 * 1024);

function logrotate(...args: string[]): void {
  execFileSync(LOGROTATE, [...args, '-s', state, conf], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `logrotate -d`: its decisions, printed on stderr (it exits 0 having changed nothing). */
function debugRun(): string {
  return execFileSync('sh', ['-c', `${LOGROTATE} -d -s "${state}" "${conf}" 2>&1`], { encoding: 'utf8' });
}

/** The decision logrotate printed for one file ("log needs rotating", "does not exist", ...). */
function decisionFor(output: string, file: string): string {
  const start = output.indexOf(`considering log ${join(log, file)}\n`);
  if (start < 0) return 'not considered';
  const rest = output.slice(start).split('\n').slice(1);
  return rest.find((line) => /needs rotating|does not need rotating|does not exist/.test(line))?.trim() ?? 'no decision';
}

describe('native/logrotate/headset-os', () => {
  it('logrotate -d: rotates by size and by age, leaves recent, empty and missing files, never touches our own logs', () => {
    mkdirSync(join(log, 'headset'), { recursive: true });
    writeFileSync(conf, config.replaceAll('/var/log/', `${log}/`), { mode: 0o644 });
    writeFileSync(join(log, 'syslog'), syslog); // over maxsize 4M
    writeFileSync(join(log, 'kern.log'), 'kernel\n'); // rotated 2 days ago: daily
    writeFileSync(join(log, 'auth.log'), ''); // empty
    writeFileSync(join(log, 'Xorg.0.log'), 'X\n'); // rotated an hour ago: weekly
    writeFileSync(join(log, 'weston.log'), 'w'.repeat(3 * 1024 * 1024)); // over maxsize 2M
    writeFileSync(join(log, 'headset', 'headsetd.log'), '{"msg":"ours"}\n');
    const at = (days: number) => {
      const d = new Date(Date.now() - days * 86_400_000);
      return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}-${d.getHours()}:${d.getMinutes()}:${d.getSeconds()}`;
    };
    writeFileSync(
      state,
      `logrotate state -- version 2\n"${join(log, 'kern.log')}" ${at(2)}\n"${join(log, 'Xorg.0.log')}" ${at(1 / 24)}\n"${join(log, 'auth.log')}" ${at(3)}\n`,
      { mode: 0o600 },
    );

    const output = debugRun();
    expect(decisionFor(output, 'syslog')).toBe('log needs rotating');
    expect(decisionFor(output, 'kern.log')).toBe('log needs rotating');
    expect(decisionFor(output, 'auth.log')).toBe('log does not need rotating (log is empty)');
    expect(decisionFor(output, 'Xorg.0.log')).toMatch(/^log does not need rotating \(log has been rotated at .*less than a week ago\)$/);
    expect(decisionFor(output, 'weston.log')).toBe('log needs rotating');
    expect(decisionFor(output, 'messages')).toMatch(/does not exist -- skipping/);
    expect(output).not.toContain(join(log, 'headset'));
    // A dry run changes nothing.
    expect(statSync(join(log, 'syslog')).size).toBe(syslog.length);
    expect(existsSync(join(log, 'syslog.1'))).toBe(false);
  });

  it('logrotate -f: rotates, compresses one run later (delaycompress), truncates in place (copytruncate), keeps what it must', () => {
    logrotate('-f');
    expect(readFileSync(join(log, 'syslog.1'), 'utf8')).toBe(syslog);
    expect(existsSync(join(log, 'syslog'))).toBe(false);
    expect(readFileSync(join(log, 'kern.log.1'), 'utf8')).toBe('kernel\n');
    expect(gunzipSync(readFileSync(join(log, 'weston.log.1.gz'))).length).toBe(3 * 1024 * 1024);
    expect(statSync(join(log, 'weston.log')).size).toBe(0);
    expect(existsSync(join(log, 'auth.log.1'))).toBe(false);
    expect(readFileSync(join(log, 'headset', 'headsetd.log'), 'utf8')).toBe('{"msg":"ours"}\n');

    writeFileSync(join(log, 'syslog'), 'next day\n');
    logrotate('-f');
    expect(gunzipSync(readFileSync(join(log, 'syslog.2.gz'))).toString('utf8')).toBe(syslog);
    expect(readFileSync(join(log, 'syslog.1'), 'utf8')).toBe('next day\n');
  });
});
