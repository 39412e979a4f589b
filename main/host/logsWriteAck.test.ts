import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The real headsetd (main/host/headsetd.ts, bundled as `npm run build` does) on a simulated device,
 * in a child process: batches are sent over its Unix socket, headsetd is killed -9 the moment an
 * `ok` answer arrives, started again on the same folder, and every entry of every answered batch is
 * in the log exactly once.
 */
const repo = resolve(import.meta.dirname, '../..');
// Inside the repository, so the bundle's external packages resolve from its node_modules.
const buildDir = mkdtempSync(join(repo, 'node_modules', '.cache-logs-ack-test-'));
const headsetd = join(buildDir, 'headsetd.mjs');
const root = mkdtempSync(join(tmpdir(), 'logs-ack-'));

beforeAll(() => {
  buildSync({
    entryPoints: [join(repo, 'main/host/headsetd.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: headsetd,
    logLevel: 'silent',
  });
});
afterAll(() => {
  rmSync(buildDir, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
});

type Level = 'info' | 'warn' | 'error' | 'fatal';
const LEVELS: Level[] = ['info', 'warn', 'error', 'fatal'];

/** Starts headsetd on `root`; resolves once its API socket listens. */
function start(): Promise<{ child: ChildProcess; socket: string }> {
  const child = spawn(process.execPath, [headsetd, '--root', root], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('headsetd did not open its API socket within 20 s')), 20_000);
    child.once('exit', (code, signal) => reject(new Error(`headsetd exited (${code ?? signal}) before its API socket was up`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^headsetd: API socket (.+)$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolvePromise({ child, socket: match[1]! });
    });
  });
}

/**
 * Sends `batches` logs.write calls at once on one connection and kills headsetd -9 on the first
 * `ok`. Returns the calls answered `ok` (any answer read counts: headsetd sent it).
 */
async function writeAndKill(child: ChildProcess, socketPath: string, batches: { level: Level; msgs: string[] }[]): Promise<number[]> {
  const socket = connect(socketPath);
  await new Promise<void>((resolvePromise, reject) => socket.once('connect', resolvePromise).once('error', reject));
  const exited = new Promise((resolvePromise) => child.once('exit', resolvePromise));
  const answered: number[] = [];
  const refused: unknown[] = [];
  let pending = '';
  socket.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const message = JSON.parse(pending.slice(0, newline)) as { type: string; id: number };
      pending = pending.slice(newline + 1);
      if (message.type === 'ok') {
        // At once, in the same turn that read the answer.
        if (answered.length === 0) child.kill('SIGKILL');
        answered.push(message.id - 1);
      } else {
        refused.push(message);
        if (refused.length === batches.length) child.kill('SIGKILL');
      }
    }
  });
  socket.on('error', () => undefined);
  batches.forEach((batch, i) => {
    const entries = batch.msgs.map((msg) => ({ level: batch.level, msg }));
    socket.write(`${JSON.stringify({ type: 'call', id: i + 1, method: 'logs.write', input: { entries } })}\n`);
  });
  await exited;
  socket.destroy();
  expect(refused, 'an answer other than ok').toEqual([]);
  return answered;
}

/** How often each message of the ui subsystem appears in headsetd's log folder (rotated files too). */
function loggedMessages(): Map<string, number> {
  const dir = join(root, 'data', 'logs');
  const counts = new Map<string, number>();
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.') || !name.includes('.log')) continue;
    const raw = readFileSync(join(dir, name));
    for (const line of (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').split('\n')) {
      if (!line.includes('"subsystem":"ui"')) continue;
      const { msg } = JSON.parse(line) as { msg: string };
      counts.set(msg, (counts.get(msg) ?? 0) + 1);
    }
  }
  return counts;
}

describe('logs.write acknowledgement survives kill -9', () => {
  it('kill -9 on the ok answer, at every level: after the restart every answered entry is in the log exactly once', async () => {
    const ROUNDS = 8;
    const answeredMsgs: string[] = [];
    const answeredLevels = new Set<Level>();
    let running = await start();
    for (let round = 0; round < ROUNDS; round++) {
      // Three batches of 50 at the round's level (the connection's burst is 200): the kill comes
      // on the first answer while the others are still on their way.
      const level = LEVELS[round % LEVELS.length]!;
      const batches = [0, 1, 2].map((b) => ({ level, msgs: Array.from({ length: 50 }, (_, i) => `ACK r${round} b${b} ${level} ${i}`) }));
      const answered = await writeAndKill(running.child, running.socket, batches);
      expect(answered.length, `round ${round}: no batch was answered before the kill`).toBeGreaterThan(0);
      for (const id of answered) {
        answeredMsgs.push(...batches[id]!.msgs);
        answeredLevels.add(batches[id]!.level);
      }
      running = await start();
      // Restarted on the same folder: every answered entry is there, once; no entry of any batch twice.
      const logged = loggedMessages();
      const missing = answeredMsgs.filter((msg) => logged.get(msg) !== 1);
      expect(missing, `round ${round}: answered entries missing or repeated after kill -9`).toEqual([]);
      expect([...logged].filter(([msg, n]) => msg.startsWith('ACK ') && n > 1)).toEqual([]);
    }
    running.child.kill('SIGKILL');
    expect([...answeredLevels].sort()).toEqual([...LEVELS].sort());
    expect(answeredMsgs.length).toBeGreaterThanOrEqual(ROUNDS * 50);
  }, 60_000);
});
