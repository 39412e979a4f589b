import { describe, expect, it } from 'vitest';
import { createFakeDevice } from './fakeDevice.js';
import { connectHarness } from './harness.js';
import { errorCodeOf } from './errorCodes.js';

/** The logs calls through the real router and client, answered by the fake device's in-memory log. */
describe('logs.* over the API', () => {
  it('queries newest first with a cursor, and refuses a bad cursor or a reversed range as INVALID_INPUT', async () => {
    const { client } = connectHarness();
    const first = await client.call('logs.query', { subsystems: ['update'], limit: 2 });
    expect(first.entries.map((e) => e.msg)).toEqual(['install failed: SLOT_VERIFY_FAILED', 'install failed: SLOT_VERIFY_FAILED']);
    expect(first.truncated).toBe(true);
    const next = await client.call('logs.query', { subsystems: ['update'], limit: 2, before: first.nextCursor! });
    expect(next.entries.map((e) => e.msg)).toEqual(['download stalled for 30 s']);
    expect(await client.call('logs.query', { text: 'slot=B' })).toMatchObject({ entries: [{ seq: 4 }, { seq: 3 }] });
    expect(await errorCodeOf(client.call('logs.query', { before: 'not a cursor' }))).toBe('INVALID_INPUT');
    expect(await errorCodeOf(client.call('logs.query', { since: '2025-01-02T00:00:00Z', until: '2025-01-01T00:00:00Z' }))).toBe('INVALID_INPUT');
    expect(await errorCodeOf(client.call('logs.query', { limit: 501 }))).toBe('INVALID_INPUT');
  });

  it('summarises: timeline per level, templates, restarts', async () => {
    const { client } = connectHarness();
    const summary = await client.call('logs.summary', { since: '2025-01-01T08:00:00Z', until: '2025-01-01T10:00:00Z', bucketCount: 4 });
    expect(summary.timeline.map((b) => b.counts.error)).toEqual([0, 0, 0, 2]);
    expect(summary.topTemplates.map((t) => t.template)).toContain('GPS locked with <num> satellites');
    expect(summary.entries).toBe(7);
  });

  it('exports to the stick, in settings and recovery, and says EXPORT_NO_MEDIUM without one', async () => {
    const device = createFakeDevice({ mode: 'recovery' });
    const { client } = connectHarness({ device });
    expect(await client.call('logs.export', { levels: ['error'] })).toMatchObject({ entries: 2 });
    expect(device.usbStick).toHaveLength(1);
    device.usbStick = undefined;
    expect(await errorCodeOf(client.call('logs.export', {}))).toBe('EXPORT_NO_MEDIUM');
    expect(await errorCodeOf(connectHarness({ device: createFakeDevice({ mode: 'setup' }) }).client.call('logs.export', {}))).toBe('WRONG_MODE');
  });
});
