import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReconnectBackoff } from '../../src/api/reconnectBackoff.js';
import { HeadsetdSupervisor } from './HeadsetdSupervisor.js';

/**
 * A stand-in for headsetd, a real process: it reads the token from descriptor 4, records its
 * command line and the token, announces its UI on descriptor 3 the way headsetd does, then does
 * what the plan says for its n-th start: `crash` (exit 1 once up), `fail` (exit 1 before announcing),
 * `clean` (exit 0 once up), `stay` (until SIGTERM, then exit 0).
 */
const STAND_IN = `
import { appendFileSync, closeSync, readFileSync, writeSync } from 'node:fs';
const dir = process.env.STAND_IN_DIR;
const token = readFileSync(4, 'utf8').trim();
closeSync(4);
const starts = readFileSync(dir + '/starts', 'utf8').split('\\n').filter(Boolean).length + 1;
appendFileSync(dir + '/starts', JSON.stringify({ argv: process.argv.slice(2), token, pid: process.pid }) + '\\n');
const plan = readFileSync(dir + '/plan', 'utf8').trim().split(',');
const step = plan[Math.min(starts, plan.length) - 1];
if (step === 'fail') process.exit(1);
const at = process.argv.indexOf('--port');
const port = process.argv[at + 1] === '0' ? String(40000 + process.pid % 20000) : process.argv[at + 1];
process.on('SIGTERM', () => process.exit(0));
console.log('headsetd: up');
writeSync(3, 'Headset Control UI: http://127.0.0.1:' + port + '/#token=' + token + '\\n');
if (step === 'crash') setTimeout(() => process.exit(1), 20);
else if (step === 'clean') setTimeout(() => process.exit(0), 20);
else setInterval(() => undefined, 1000);
`;

const TOKEN = 'ab'.repeat(32);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function rig(plan: string, tuning: { baseMs?: number; stableMs?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'stand-in.mjs'), STAND_IN);
  writeFileSync(join(dir, 'plan'), plan);
  writeFileSync(join(dir, 'starts'), '');
  process.env.STAND_IN_DIR = dir;
  const urls: { url: string; starts: number; pid: number }[] = [];
  const notes: string[] = [];
  const lines: string[] = [];
  let resolveEnd!: (code: number | null) => void;
  const ended = new Promise<number | null>((resolve) => (resolveEnd = resolve));
  const supervisor = new HeadsetdSupervisor({
    command: process.execPath,
    args: [join(dir, 'stand-in.mjs'), '--web', '--port', '0', '--url-fd', '3'],
    token: TOKEN,
    onLine: (line) => lines.push(line),
    onUrl: (url, starts, pid) => urls.push({ url, starts, pid }),
    onNote: (text) => notes.push(text),
    onEnd: resolveEnd,
    backoff: new ReconnectBackoff({ baseMs: tuning.baseMs ?? 40, maxMs: Math.max(160, tuning.baseMs ?? 0), jitter: 0 }),
    stableMs: tuning.stableMs,
  });
  const starts = () =>
    readFileSync(join(dir, 'starts'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { argv: string[]; token: string; pid: number });
  return { supervisor, urls, notes, lines, ended, starts };
}

const until = (check: () => boolean) => expect.poll(check, { timeout: 10_000, interval: 10 }).toBe(true);

describe('HeadsetdSupervisor', () => {
  it('starts headsetd again after a crash, with the same token (on descriptor 4, never argv) and the port the first start got', async () => {
    const r = rig('stay,crash,crash,stay');
    r.supervisor.start();
    await until(() => r.urls.length === 1);
    const firstPid = r.supervisor.pid!;
    const port = new URL(r.urls[0]!.url).port;
    process.kill(firstPid, 'SIGKILL');
    await until(() => r.urls.length === 4 && r.supervisor.pid !== undefined && r.starts().length === 4);
    expect(r.urls.map((u) => u.starts)).toEqual([1, 2, 3, 4]);
    // Every start served the same address: the page opened on the first reconnects to the last.
    expect(new Set(r.urls.map((u) => u.url))).toEqual(new Set([`http://127.0.0.1:${port}/#token=${TOKEN}`]));
    for (const start of r.starts()) {
      expect(start.token).toBe(TOKEN);
      expect(start.argv.join(' ')).not.toContain(TOKEN);
      expect(start.argv).toContain('--token-fd');
    }
    expect(
      r
        .starts()
        .slice(1)
        .every((s) => s.argv[s.argv.indexOf('--port') + 1] === port),
    ).toBe(true);
    // The waits grew: 40 ms, then 80, then 160 (jitter 0).
    expect(r.notes.filter((n) => n.startsWith('headsetd ended unexpectedly'))).toEqual([
      'headsetd ended unexpectedly (SIGKILL); starting it again in 0.0 s. The UI reconnects by itself.',
      'headsetd ended unexpectedly (exit code 1); starting it again in 0.1 s. The UI reconnects by itself.',
      'headsetd ended unexpectedly (exit code 1); starting it again in 0.2 s. The UI reconnects by itself.',
    ]);
    expect(r.lines).toContain('headsetd: up');
    r.supervisor.stop();
    expect(await r.ended).toBe(0);
  });

  it('a clean exit (code 0: told to stop, as Ctrl-C tells the whole group) ends it without a restart', async () => {
    const r = rig('clean');
    r.supervisor.start();
    expect(await r.ended).toBe(0);
    expect(r.starts()).toHaveLength(1);
  });

  it('a first start that never announced its UI is not retried: its exit code ends it', async () => {
    const r = rig('fail');
    r.supervisor.start();
    expect(await r.ended).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(r.starts()).toHaveLength(1);
    expect(r.urls).toEqual([]);
  });

  it('keeps trying while restarts fail before announcing, once it had been up', async () => {
    const r = rig('crash,fail,fail,stay');
    r.supervisor.start();
    await until(() => r.urls.length === 2);
    expect(r.starts()).toHaveLength(4);
    expect(r.urls.map((u) => u.starts)).toEqual([1, 4]);
    r.supervisor.stop();
    expect(await r.ended).toBe(0);
  });

  it('a run that stayed up long enough starts the backoff over', async () => {
    const r = rig('crash,crash,crash,stay', { stableMs: 0 });
    r.supervisor.start();
    await until(() => r.urls.length === 4);
    expect(r.notes.filter((n) => n.startsWith('headsetd ended unexpectedly')).map((n) => /again in ([\d.]+) s/.exec(n)?.[1])).toEqual([
      '0.0',
      '0.0',
      '0.0',
    ]);
    r.supervisor.stop();
    expect(await r.ended).toBe(0);
  });

  it('stop() during the wait before a restart ends it at once and starts nothing more', async () => {
    const r = rig('crash,stay', { baseMs: 5000 });
    r.supervisor.start();
    await until(() => r.notes.some((n) => n.startsWith('headsetd ended unexpectedly')));
    r.supervisor.stop();
    expect(await r.ended).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(r.starts()).toHaveLength(1);
  });
});
