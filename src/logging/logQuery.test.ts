import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileQuery, entryCursor, NewestPage, parseCursor } from './logQuery.js';
import { formatLogLine, LOG_LEVELS, SUBSYSTEMS, type LogRecord } from './logRecord.js';

function record(over: Partial<LogRecord> = {}): LogRecord {
  return {
    time: '2026-03-01T10:00:00.000Z',
    level: 'info',
    subsystem: 'update',
    msg: 'download started',
    version: '1.0.0',
    commit: 'abc',
    bootId: 'b1',
    seq: 1,
    ...over,
  };
}

describe('compileQuery', () => {
  it('filters by level, subsystem and time range (since inclusive, until exclusive)', () => {
    const q = compileQuery({ levels: ['warn', 'error'], subsystems: ['gps'], since: '2026-03-01T10:00:00.000Z', until: '2026-03-01T11:00:00Z' });
    expect(q.matches(record({ level: 'warn', subsystem: 'gps' }))).toBe(true);
    expect(q.matches(record({ level: 'info', subsystem: 'gps' }))).toBe(false);
    expect(q.matches(record({ level: 'warn', subsystem: 'update' }))).toBe(false);
    expect(q.matches(record({ level: 'warn', subsystem: 'gps', time: '2026-03-01T09:59:59.999Z' }))).toBe(false);
    expect(q.matches(record({ level: 'warn', subsystem: 'gps', time: '2026-03-01T11:00:00.000Z' }))).toBe(false);
  });

  it('matches text case-insensitively in the message and field values, and name=value exactly on a field', () => {
    const r = record({ msg: 'Install FAILED', fields: { slot: 'B', code: 'SLOT_VERIFY_FAILED', bytes: 42 } });
    expect(compileQuery({ text: 'install failed' }).matches(r)).toBe(true);
    expect(compileQuery({ text: 'verify_failed' }).matches(r)).toBe(true);
    expect(compileQuery({ text: 'slot=B' }).matches(r)).toBe(true);
    expect(compileQuery({ text: 'slot=A' }).matches(r)).toBe(false);
    expect(compileQuery({ text: 'bytes=42 failed' }).matches(r)).toBe(true);
    expect(compileQuery({ text: 'rollback' }).matches(r)).toBe(false);
  });

  it('property: the raw-line test never rejects a line whose record matches', () => {
    const arbRecord = fc.record({
      time: fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 1, 1) }).map((t) => new Date(t).toISOString()),
      level: fc.constantFrom(...LOG_LEVELS),
      subsystem: fc.constantFrom(...SUBSYSTEMS),
      msg: fc.string({ maxLength: 30 }),
      version: fc.constant('1.0.0'),
      commit: fc.constant('c'),
      bootId: fc.constant('b'),
      seq: fc.nat(),
      fields: fc.option(fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.oneof(fc.string({ maxLength: 10 }), fc.integer())), { nil: undefined }),
    });
    const arbQuery = fc.record({
      levels: fc.option(fc.subarray([...LOG_LEVELS]), { nil: undefined }),
      since: fc.option(
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 1, 1) }).map((t) => new Date(t).toISOString()),
        { nil: undefined },
      ),
      until: fc.option(
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 1, 1) }).map((t) => new Date(t).toISOString()),
        { nil: undefined },
      ),
      text: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(arbRecord, arbQuery, (r, query) => {
        const q = compileQuery(query);
        const line = formatLogLine(r as LogRecord);
        if (q.matches(r as LogRecord)) expect(q.lineMayMatch(line)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('NewestPage', () => {
  it('pages newest first through entries offered in any order, without repeats or gaps', () => {
    const all = Array.from({ length: 23 }, (_, i) => record({ time: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 7)).toISOString(), seq: i }));
    const shuffled = [...all].sort(() => Math.random() - 0.5);
    const seen: number[] = [];
    let before: string | undefined;
    for (;;) {
      const page = new NewestPage(5, before);
      for (const r of shuffled) page.offer(r);
      const { entries, truncated } = page.page();
      seen.push(...entries.map((e) => e.seq));
      if (!truncated) break;
      before = entryCursor(entries.at(-1)!);
    }
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
    const times = seen.map((s) => all[s]!.time);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('reads back its own cursors and refuses others', () => {
    expect(parseCursor(entryCursor(record({ seq: 7, bootId: 'x|y' })))).toEqual({ time: '2026-03-01T10:00:00.000Z', seq: 7, bootId: 'x|y' });
    expect(parseCursor('nonsense')).toBeUndefined();
  });
});
