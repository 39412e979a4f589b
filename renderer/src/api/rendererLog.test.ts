import { describe, expect, it } from 'vitest';
import type { CallInput } from '../../../src/api/contract.js';
import { AppError } from '../../../src/api/errors.js';
import { createFakeDevice } from '../../../test-support/api/fakeDevice.js';
import { connectHarness } from '../../../test-support/api/harness.js';
import { RendererLog, installRendererCrashHandlers } from './rendererLog.js';

type Batch = CallInput<'logs.write'>;

/** A real router and client; the device side records what logs.write receives. */
function rig(refuse: (batch: Batch, calls: number) => AppError | undefined = () => undefined) {
  const batches: Batch[] = [];
  let calls = 0;
  const device = createFakeDevice({
    overrides: {
      'logs.write': (input) => {
        const refusal = refuse(input, ++calls);
        if (refusal) throw refusal;
        batches.push(input);
        return { written: input.entries.length, crashId: input.entries.some((e) => e.crash) ? 'crash-1' : null };
      },
    },
  });
  const { client } = connectHarness({ device });
  return { batches, send: (input: Batch) => client.call('logs.write', input) };
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RendererLog', () => {
  it('batches entries into one logs.write, cutting what the API would refuse', async () => {
    const { batches, send } = rig();
    const log = new RendererLog(send, { flushDelayMs: 10_000 });
    log.info('opened Updates', { tab: 'history' });
    log.debug('not recorded: below info');
    log.warn('x'.repeat(3000), { big: 'y'.repeat(5000) });
    await log.flush();
    expect(batches).toHaveLength(1);
    const [first, second] = batches[0]!.entries;
    expect(batches[0]!.process).toBe('renderer');
    expect(first).toMatchObject({ level: 'info', msg: 'opened Updates', fields: { tab: 'history' } });
    expect(second!.msg).toHaveLength(2048);
    expect(second!.fields).toEqual({ truncated: true, bytes: expect.any(Number) });
    expect(log.queued).toBe(0);
  });

  it('keeps entries when the device says LOGS_RATE_LIMITED and sends them after the time it asks', async () => {
    const { batches, send } = rig((_, calls) => (calls === 1 ? new AppError('LOGS_RATE_LIMITED', 'slow down', { retryAfterMs: 30 }) : undefined));
    const log = new RendererLog(send, { flushDelayMs: 10_000 });
    log.error('one');
    log.error('two');
    await log.flush();
    expect(batches).toHaveLength(0);
    expect(log.queued).toBe(2);
    // Sent after the 30 ms asked for; how long after depends on the machine's load.
    await expect.poll(() => batches.map((b) => b.entries.map((e) => e.msg)), { timeout: 10_000 }).toEqual([['one', 'two']]);
  });

  it('stays bounded while the device cannot take entries: debug goes first, then the oldest, and the loss is logged', async () => {
    let down = true;
    const { batches, send } = rig(() => (down ? new AppError('LOGS_RATE_LIMITED', 'slow', { retryAfterMs: 60_000 }) : undefined));
    const log = new RendererLog(send, { flushDelayMs: 60_000, maxQueued: 5, minLevel: 'debug' });
    log.debug('d1');
    for (let i = 0; i < 6; i++) log.info(`i${i}`);
    expect(log.queued).toBe(5);
    down = false;
    await log.flush();
    expect(batches.flatMap((b) => b.entries.map((e) => e.msg))).toEqual(['renderer log dropped 2 entries', 'i1', 'i2', 'i3', 'i4', 'i5']);
  });

  it('a crash sends the queued entries and a crash entry at once, and returns the record id', async () => {
    const { batches, send } = rig();
    const log = new RendererLog(send, { flushDelayMs: 60_000 });
    log.info('clicked Install');
    const id = await log.crash(new TypeError('state is undefined'));
    expect(id).toBe('crash-1');
    const entries = batches[0]!.entries;
    expect(entries[0]).toMatchObject({ msg: 'clicked Install' });
    expect(entries[1]).toMatchObject({ level: 'fatal', crash: { name: 'TypeError', message: 'state is undefined' } });
    expect(entries[1]!.crash!.stack).toContain('rendererLog.test');
  });

  it('the window handlers report an uncaught error or an unhandled rejection once', async () => {
    const { batches, send } = rig();
    const log = new RendererLog(send);
    const page = new EventTarget();
    installRendererCrashHandlers(log, page as unknown as Window);
    page.dispatchEvent(Object.assign(new Event('unhandledrejection'), { reason: new RangeError('no slot') }));
    page.dispatchEvent(Object.assign(new Event('error'), { error: new Error('second'), message: 'second' }));
    await expect.poll(() => batches.length, { timeout: 10_000 }).toBe(1);
    // Once: nothing more follows.
    await tick(20);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.entries.at(-1)!.crash).toMatchObject({ name: 'RangeError', message: 'no slot' });
  });
});
