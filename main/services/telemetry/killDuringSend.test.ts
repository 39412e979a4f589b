import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { beforeAll, expect, it } from 'vitest';
import { seededRandom } from '../../../src/seededRandom.js';
import { Outbox } from './Outbox.js';
import { waitFor } from '../../../test-support/telemetry/fixtures.js';
import { useOtlpTestReceiver } from '../../../test-support/telemetry/receiverFixture.js';

const otlp = useOtlpTestReceiver('kill-during-send-');
const child = join(otlp.work, 'forwarderChild.mjs');

beforeAll(async () => {
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL('../../../test-support/telemetry/forwarderChild.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    outfile: child,
    logLevel: 'warning',
  });
});

function run(dir: string, count: number): { process: ChildProcess; queued: Promise<void> } {
  const proc = spawn(process.execPath, [child], {
    env: {
      ...process.env,
      FORWARDER_CHILD: JSON.stringify({ dir, url: otlp.receiver.url, caPath: otlp.certPath, count, prefix: 'rec', limitBytes: 8 << 20 }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const queued = new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (data: Buffer) => data.toString().includes('queued') && resolve());
    proc.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
  return { process: proc, queued };
}

const exited = (proc: ChildProcess) =>
  new Promise((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve(null) : proc.once('exit', resolve)));

it('a forwarder killed with -9 during sends loses nothing: everything arrives at least once', async () => {
  const dir = join(otlp.work, 'outbox');
  const total = 400;
  // First life: killed while the receiver holds its third request (mid-send).
  const first = run(dir, total);
  otlp.receiver.script({ kind: 'ok' }, { kind: 'ok' }, { kind: 'stall' });
  const killedMidSend = new Promise<void>((resolve) => {
    otlp.receiver.onRequest = () => {
      if (otlp.receiver.requests.length === 3) {
        first.process.kill('SIGKILL');
        resolve();
      }
    };
  });
  await first.queued;
  await killedMidSend;
  await exited(first.process);
  otlp.receiver.onRequest = undefined;
  // Second and third lives: killed at arbitrary moments while sending (receiver answers slowly).
  // Sending is known from the receiver, not from a fixed delay a loaded machine would outrun.
  const random = seededRandom(Date.now());
  for (let life = 2; life <= 3; life++) {
    otlp.receiver.behave = () => ({ kind: 'slow', ms: 15 });
    const requestsBefore = otlp.receiver.requests.length;
    const again = run(dir, 0);
    await again.queued;
    await waitFor(() => otlp.receiver.requests.length > requestsBefore, 15_000, `a request in life ${life}`);
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 50)));
    again.process.kill('SIGKILL');
    await exited(again.process);
  }
  // Last life: runs to the end.
  otlp.receiver.behave = () => ({ kind: 'ok' });
  const last = run(dir, 0);
  await last.queued;
  await waitFor(() => otlp.receiver.logs.size === total, 15_000, 'every record');
  await waitFor(() => readdirSync(dir).filter((name) => name.endsWith('.chunk')).length === 0, 15_000, 'an empty outbox');
  last.process.kill('SIGTERM');
  await exited(last.process);
  expect(otlp.receiver.logBodies().sort()).toEqual(Array.from({ length: total }, (_, i) => `rec ${i}`).sort());
  expect(otlp.receiver.problems).toEqual([]);
  const reopened = await Outbox.open({ dir, limitBytes: 8 << 20 });
  expect(reopened.stats()).toMatchObject({ queuedBytes: 0, corruptSkipped: 0 });
  // Critical (every 4th record) went first in the first life.
  const firstBodies = [...otlp.receiver.logs.values()].slice(0, 50).map((log) => Number(log.body.split(' ')[1]));
  expect(firstBodies.every((i) => i % 4 === 0)).toBe(true);
});
