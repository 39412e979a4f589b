import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.js';
import type { CallInput } from '../api/contract.js';
import { LogBatcher } from './logBatcher.js';

// The batcher's delays run on a fake clock: a loaded CI machine cannot reorder them.
const tick = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('LogBatcher (Electron main while headsetd is away)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('buffers while not connected, retries, and sends everything in order once connected, 50 a batch', async () => {
    vi.useFakeTimers();
    const sent: CallInput<'logs.write'>[] = [];
    let connected = false;
    const batcher = new LogBatcher(
      async (input) => {
        if (!connected) throw new ApiError('DISCONNECTED', 'not connected');
        sent.push(input);
        return { written: input.entries.length, crashId: null };
      },
      { process: 'electron-main', flushDelayMs: 5, retryMs: 20 },
    );
    for (let i = 0; i < 120; i++) batcher.info(`line ${i}`);
    await tick(30);
    expect(sent).toHaveLength(0);
    expect(batcher.queued).toBe(120);
    connected = true;
    await tick(60);
    expect(sent.map((b) => b.entries.length)).toEqual([50, 50, 20]);
    expect(sent.every((b) => b.process === 'electron-main')).toBe(true);
    expect(sent.flatMap((b) => b.entries.map((e) => e.msg))).toEqual(Array.from({ length: 120 }, (_, i) => `line ${i}`));
  });

  it('a crash with nowhere to go resolves to null rather than throwing', async () => {
    const batcher = new LogBatcher(() => Promise.reject(new Error('no socket')), { process: 'electron-main' });
    await expect(batcher.crash(new Error('main died'))).resolves.toBeNull();
  });
});
