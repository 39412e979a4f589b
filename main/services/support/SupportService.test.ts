import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SupportStatus } from '../../../src/api/contract/support.js';
import { AppError } from '../../../src/api/errors.js';
import { SecretRegistry } from '../../../src/secrets/SecretRegistry.js';
import { capturedLog } from '../../../test-support/logging/capturedLog.js';
import { relayRigUnavailable, TestRelay } from '../../../test-support/support/relayRig.js';
import { RelayConfigFile } from './RelayConfigFile.js';
import { SupportService, type SupportServiceOptions } from './SupportService.js';

const unavailable = relayRigUnavailable();
if (unavailable) console.log(`SupportService tests with a real sshd skipped: ${unavailable}`);

/** Waits until the service's pushed status satisfies `test`. */
function until(service: SupportService, test: (s: SupportStatus) => boolean, timeoutMs = 15_000): Promise<SupportStatus> {
  return new Promise((resolve, reject) => {
    const now = service.status.current();
    if (now && test(now)) return resolve(now);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`status never matched; last: ${JSON.stringify(service.status.current())}`));
    }, timeoutMs);
    const off = service.status.subscribe((s) => {
      if (!test(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

describe.skipIf(unavailable)('SupportService against a real sshd relay on 127.0.0.1', () => {
  let relay: TestRelay;
  const made: { service: SupportService; dirs: string[] }[] = [];

  beforeAll(async () => {
    relay = new TestRelay();
    await relay.start();
  });
  afterAll(async () => {
    await relay.close();
  });
  afterEach(async () => {
    for (const { service, dirs } of made.splice(0)) {
      await service.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });

  /** A headset: its state folder with a relay file, sources to show, and the run folder under /run (chroot rule). */
  function headset(options: { relay?: Record<string, unknown> | null; service?: Partial<SupportServiceOptions> } = {}) {
    const home = mkdtempSync(join(tmpdir(), 'support-headset-'));
    const stateDir = join(home, 'state');
    const logDir = join(home, 'logs');
    const crashesDir = join(home, 'crashes');
    for (const dir of [stateDir, logDir, crashesDir]) mkdirSync(dir, { recursive: true });
    writeFileSync(join(logDir, 'headset.log'), '{"msg":"hello from the headset"}\n');
    writeFileSync(join(crashesDir, 'crash-1.json'), '{"stack":"boom"}\n');
    writeFileSync(join(stateDir, 'health-history.jsonl'), '{"cpu":3}\n');
    writeFileSync(join(stateDir, 'update-history.json'), '[]\n');
    writeFileSync(
      join(stateDir, 'update-config.json'),
      JSON.stringify({ channel: 'stable', wifiPassword: 'hunter2-hunter2', note: 'token is sesame-open-42' }),
    );
    writeFileSync(join(stateDir, 'lock.json'), '{"pinHash":"$argon2id$..."}');
    if (options.relay !== null) writeFileSync(join(stateDir, 'support-relay.json'), JSON.stringify(relay.config(options.relay ?? {})));
    const runDir = `/run/headset-support-test/${home.split('-').pop()}`;
    const lines: string[] = [];
    const fields: unknown[] = [];
    const log = capturedLog(lines, 'support');
    const spy = log as unknown as {
      info: (m: string, f?: unknown) => void;
      warn: (m: string, f?: unknown) => void;
      error: (m: string, f?: unknown) => void;
    };
    for (const level of ['info', 'warn', 'error'] as const) {
      const original = spy[level].bind(log);
      spy[level] = (m, f) => {
        fields.push({ m, ...(f as object) });
        original(m, f as Record<string, unknown>);
      };
    }
    const secrets = new SecretRegistry();
    secrets.register('sesame-open-42', 'a token the headset holds');
    const service = new SupportService({
      relays: new RelayConfigFile(join(stateDir, 'support-relay.json')),
      sources: {
        logDir,
        crashesDir,
        healthHistory: join(stateDir, 'health-history.jsonl'),
        updateHistory: join(stateDir, 'update-history.json'),
        configFiles: [join(stateDir, 'update-config.json')],
      },
      runDir,
      stateDir,
      secrets,
      log,
      backoff: { baseMs: 200, maxMs: 2000, jitter: 0 },
      keepalive: { intervalSeconds: 1, countMax: 2 },
      refreshMs: 200,
      ...options.service,
    });
    made.push({ service, dirs: [home, runDir] });
    return { service, stateDir, logDir, runDir, lines, fields, secrets };
  }

  it("on the linux profile's path runs the view's sshd as its unit: started and stopped through systemctl, the image's folders kept", async () => {
    const fake = join(import.meta.dirname, '..', '..', '..', 'test-support', 'support', 'fake-systemctl');
    const { service, runDir, fields } = headset({ service: { viewUnit: { systemctlPath: fake } } });
    // What the image's tmpfiles.d makes (native/image/tmpfiles.d/headset.conf).
    for (const sub of ['view/logs', 'view/crashes', 'view/health', 'view/updates', 'view/config', 'view/dev', 'session', 'keys'])
      mkdirSync(join(runDir, sub), { recursive: true, mode: 0o755 });
    writeFileSync(join(runDir, 'view', 'README.txt'), 'from the image\n');
    process.env.FAKE_SUPPORT_RUN_DIR = runDir;
    await service.load();
    await service.start({ by: 'settings', reason: 'unit path' });
    const active = await until(service, (s) => s.state === 'active');
    const id = active.session!.id;
    const out = join(mkdtempSync(join(tmpdir(), 'support-get-')), 'got.log');
    const run = relay.sftp(active.session!.relayPort!, [`get /logs/headset.log ${out}`]);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('hello from the headset');
    // sshd's login line came through the socket bound as its /dev/log.
    await until(service, (s) => (s.session?.reads ?? 0) >= 1);
    expect(fields).toContainEqual(expect.objectContaining({ m: 'support viewer connected', viewer: 'Alice at support' }));
    await service.stop();
    expect(readFileSync(join(runDir, 'systemctl.calls'), 'utf8')).toMatch(
      new RegExp(`^start headset-support-view@${id}\\.service\n(is-active .*\n)*stop headset-support-view@${id}\\.service\n`),
    );
    // The folders are the image's: emptied, not removed.
    expect(readdirSync(join(runDir, 'view', 'logs'))).toEqual([]);
    expect(readFileSync(join(runDir, 'view', 'README.txt'), 'utf8')).toBe('from the image\n');
    expect(readdirSync(join(runDir, 'session')).filter((n) => n !== 'systemctl.calls')).toEqual([]);
    expect(existsSync(join(runDir, 'keys', 'viewers'))).toBe(false);
  });

  it('opens the tunnel; support reads the view through it, and every read is in the log under support', async () => {
    const { service, lines, fields, runDir } = headset();
    await service.load();
    const started = await service.start({ by: 'settings', reason: 'headset freezes' });
    expect(started.state).toBe('connecting');
    const active = await until(service, (s) => s.state === 'active');
    expect(active.session).toMatchObject({ who: 'Test support', durationMinutes: 60, reason: 'headset freezes', startedBy: 'settings' });
    const port = active.session!.relayPort!;
    expect(port).toBeGreaterThan(0);

    const out = join(mkdtempSync(join(tmpdir(), 'support-get-')), 'got.log');
    const run = relay.sftp(port, ['ls /', `get /logs/headset.log ${out}`, 'get /config/update-config.json ' + out + '.cfg']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/logs/);
    expect(readFileSync(out, 'utf8')).toContain('hello from the headset');
    const config = readFileSync(`${out}.cfg`, 'utf8');
    expect(config).toContain('stable');
    expect(config).not.toContain('hunter2-hunter2');
    expect(config).not.toContain('sesame-open-42');
    // Only what is listed: the PIN's hash is not in the view.
    expect(existsSync(join(runDir, 'view', 'config', 'lock.json'))).toBe(false);

    await until(service, (s) => (s.session?.reads ?? 0) >= 2);
    // sftp has quit by now: Alice came and went, by the name her key has in the relay file.
    const left = await until(service, (s) => s.session?.viewers.length === 0);
    expect(left.session!.reads).toBe(2);
    expect(lines).toContain('support session started');
    expect(fields).toContainEqual(expect.objectContaining({ m: 'support viewer connected', viewer: 'Alice at support' }));
    expect(fields).toContainEqual(expect.objectContaining({ m: 'support viewer left', viewer: 'Alice at support' }));
    expect(fields).toContainEqual(expect.objectContaining({ m: 'support read a file', path: '/logs/headset.log' }));
  });

  it('refuses every write and every path outside the view, and says so in the log', async () => {
    const { service, fields } = headset();
    await service.load();
    await service.start({ by: 'settings' });
    const port = (await until(service, (s) => s.state === 'active')).session!.relayPort!;
    const put = relay.sftp(port, ['put /etc/hostname /logs/planted']);
    expect(put.status).not.toBe(0);
    expect(put.stderr).toMatch(/Permission denied/);
    expect(relay.sftp(port, ['mkdir /new']).stderr).toMatch(/Permission denied/);
    expect(relay.sftp(port, ['rm /logs/headset.log']).stderr).toMatch(/Permission denied/);
    const outside = relay.sftp(port, ['get /etc/passwd /dev/null']);
    expect(outside.status).not.toBe(0);
    expect(outside.stderr).toMatch(/not found|No such file/);
    const up = relay.sftp(port, ['cd /..', 'ls']);
    expect(up.stdout).toMatch(/logs/);
    expect(up.stdout).not.toMatch(/\betc\b|\busr\b/);
    // No shell either: the account only gets internal-sftp.
    await new Promise((r) => setTimeout(r, 300));
    expect(fields).toContainEqual(
      expect.objectContaining({ m: 'support tried to change a file (refused: the view is read-only)', path: '/logs/planted' }),
    );
    expect(fields).toContainEqual(expect.objectContaining({ m: 'support request refused', status: 'Permission denied' }));
  });

  // A "minute" of a few seconds: long enough for the tunnel to come up first on a loaded machine.
  it('ends at the timer: tunnel, view, key and relay authorization all gone', { timeout: 60_000 }, async () => {
    const { service, runDir, lines } = headset({ service: { minuteMs: 8000 } });
    await service.load();
    await service.start({ by: 'settings', durationMinutes: 1 });
    const port = (await until(service, (s) => s.state === 'active')).session!.relayPort!;
    expect(readFileSync(relay.authorizedKeys, 'utf8')).toMatch(/permitlisten="localhost:\*"/);
    const ended = await until(service, (s) => s.state === 'off', 30_000);
    expect(ended.lastEnded?.reason).toBe('timer');
    expect(lines).toContain('support session ended');
    expect(relay.sftp(port, ['ls /']).status).not.toBe(0);
    expect(existsSync(join(runDir, 'session'))).toBe(false);
    expect(existsSync(join(runDir, 'view'))).toBe(false);
    expect(readFileSync(relay.authorizedKeys, 'utf8')).not.toMatch(/headset-support-session/);
  });

  it('a wall clock jump neither extends nor ends the session early: its limits run on the monotonic clock', { timeout: 60_000 }, async () => {
    const { service } = headset({ service: { minuteMs: 8000 } });
    await service.load();
    await service.start({ by: 'settings', durationMinutes: 1 });
    await until(service, (s) => s.state === 'active');
    const before = service.current().session!.endsInMs;
    const realNow = Date.now;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 48 * 3600_000);
    try {
      expect(service.current().state).toBe('active');
      expect(service.current().session!.endsInMs).toBeLessThanOrEqual(before);
      expect(service.current().session!.endsInMs).toBeGreaterThan(0);
    } finally {
      vi.restoreAllMocks();
    }
    const started = performance.now();
    await until(service, (s) => s.state === 'off', 30_000);
    expect(performance.now() - started).toBeGreaterThan(before - 300);
  });

  it('ends when support does nothing for the idle limit', { timeout: 60_000 }, async () => {
    const { service } = headset({ service: { minuteMs: 8000, idleMinutes: 1 } });
    await service.load();
    await service.start({ by: 'settings', durationMinutes: 30 });
    await until(service, (s) => s.state === 'active');
    expect((await until(service, (s) => s.state === 'off', 30_000)).lastEnded?.reason).toBe('idle');
  });

  it('refuses a relay whose host key is not the pinned one, and does not try again', async () => {
    const other = (await import('../../../test-support/support/relayRig.js')).makeKey(join(relay.dir, `other_${Date.now()}`));
    const { service, fields } = headset({ relay: { hostKey: other.publicKey } });
    await service.load();
    await service.start({ by: 'settings' });
    const ended = await until(service, (s) => s.state === 'off');
    expect(ended.lastEnded).toMatchObject({ reason: 'relay-host-key', problem: 'relay-host-key' });
    expect(fields.filter((f) => (f as { m: string }).m === 'support tunnel down')).toHaveLength(0);
  });

  it('relay down: a typed reconnecting state whose waits grow; back up, the tunnel comes back', async () => {
    const { service } = headset({ relay: { remotePort: 0 } });
    await service.load();
    await service.start({ by: 'settings' });
    await until(service, (s) => s.state === 'active');
    const relayPort = relay.port;
    await relay.stop();
    const first = await until(service, (s) => s.state === 'reconnecting');
    expect(first.session!.problem).toMatch(/tunnel-lost|relay-unreachable/);
    const later = await until(service, (s) => s.state === 'reconnecting' && s.session!.attempt >= 3);
    expect(later.session!.problem).toBe('relay-unreachable');
    expect(later.session!.retryInMs!).toBeGreaterThan(first.session!.retryInMs!);
    await relay.start(relayPort);
    const back = await until(service, (s) => s.state === 'active');
    expect(back.session!.attempt).toBe(0);
  });

  it('relay refusing the key: relay-refused, retried with backoff', async () => {
    // No authorized_keys file for the headset to add its key to: the relay turns it away.
    const { service } = headset({ relay: { authorizedKeysFile: undefined } });
    await service.load();
    await service.start({ by: 'settings' });
    const refused = await until(service, (s) => s.state === 'reconnecting');
    expect(refused.session!.problem).toBe('relay-refused');
    expect(refused.session!.retryInMs).toBeGreaterThan(0);
  });

  it('typed refusals: no relay, out-of-range durations, a second session', async () => {
    const none = headset({ relay: null });
    await none.service.load();
    expect(none.service.current().configured).toBe(false);
    await expect(none.service.start({ by: 'settings' })).rejects.toMatchObject({ code: 'SUPPORT_NOT_CONFIGURED' });
    const { service } = headset();
    await service.load();
    for (const minutes of [0, -5, 24 * 60 + 1, 1.5]) {
      await expect(service.start({ by: 'settings', durationMinutes: minutes })).rejects.toBeInstanceOf(AppError);
    }
    await expect(service.start({ by: 'settings', durationMinutes: 24 * 60 + 1 })).rejects.toMatchObject({ code: 'SUPPORT_DURATION_OUT_OF_RANGE' });
    await service.start({ by: 'settings', durationMinutes: 24 * 60 });
    await expect(service.start({ by: 'settings' })).rejects.toMatchObject({ code: 'SUPPORT_ALREADY_ACTIVE' });
  });

  it('a restart ends the session it cut short: leftover processes and files are cleaned up, and the log says why', async () => {
    const first = headset();
    await first.service.load();
    await first.service.start({ by: 'settings' });
    await until(first.service, (s) => s.state === 'active');
    // headsetd dies without stopping the session: a new service over the same state folder.
    const again = new SupportService({
      relays: new RelayConfigFile(join(first.stateDir, 'support-relay.json')),
      sources: { logDir: first.logDir, crashesDir: first.logDir, healthHistory: 'x', updateHistory: 'x', configFiles: [] },
      runDir: first.runDir,
      stateDir: first.stateDir,
      secrets: new SecretRegistry(),
      log: capturedLog(first.lines, 'support'),
    });
    await again.load();
    expect(again.current()).toMatchObject({ state: 'off', lastEnded: { reason: 'restart' } });
    expect(existsSync(join(first.runDir, 'session'))).toBe(false);
    const { commandLineOf } = await import('./processTree.js');
    const leftovers = [];
    for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
      if ((await commandLineOf(Number(pid))).includes(join(first.runDir, 'session'))) leftovers.push(pid);
    }
    expect(leftovers).toEqual([]);
  });

  it('the session key never reaches argv or the log', async () => {
    const { service, lines, fields, runDir } = headset();
    await service.load();
    await service.start({ by: 'settings' });
    await until(service, (s) => s.state === 'active');
    const keyFile = readFileSync(join(runDir, 'session', 'tunnel_ed25519'), 'utf8');
    const keyLines = keyFile.split('\n').filter((l) => l && !l.startsWith('-----'));
    expect(keyLines.length).toBeGreaterThan(2);
    const argvs = readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e))
      .map((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      });
    expect(argvs.some((a) => a.includes(join(runDir, 'session')))).toBe(true);
    await service.stop();
    const logged = JSON.stringify([lines, fields]);
    for (const line of keyLines) {
      expect(argvs.some((a) => a.includes(line))).toBe(false);
      expect(logged).not.toContain(line);
    }
    expect(logged).not.toContain('sesame-open-42');
  });
});
