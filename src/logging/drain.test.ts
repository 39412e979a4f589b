import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DrainMiner, maskToken, tokenize } from './drain.js';

describe('parameter masking', () => {
  it.each([
    ['35', '<num>'],
    ['35ms', '<num>'],
    ['-1.5', '<num>'],
    ['(35ms),', '(<num>),'],
    ['0xdeadbeef', '<hex>'],
    ['a3f9c2d17e', '<hex>'],
    ['6f1c1f9e-3b0a-4f5e-9a4b-2a8f4c1d7e10', '<uuid>'],
    ['192.168.1.20', '<ip>'],
    ['10.0.0.1:8080', '<ip>'],
    ['/var/log/headset/headsetd.log', '<path>'],
    ["'/tmp/x'", "'<path>'"],
    ['http://127.0.0.1:8000/x', '<url>'],
    ['v1.4.0-rc1', '<*>'],
    ['installed', 'installed'],
    ['and/or', 'and/or'],
    ['ready:', 'ready:'],
  ])('%s -> %s', (token, mask) => {
    expect(maskToken(token)).toBe(mask);
  });

  it('splits on any whitespace and caps the token count', () => {
    expect(tokenize('  a\tb  c\n')).toEqual(['a', 'b', 'c']);
    expect(tokenize(Array.from({ length: 100 }, (_, i) => `w${String.fromCharCode(97 + (i % 26))}`).join(' '), 10)).toHaveLength(10);
  });
});

describe('DrainMiner', () => {
  it('groups messages that differ only in their values into one template', () => {
    const miner = new DrainMiner();
    miner.add('download resumed at 1048576 of 4194304 bytes', 'update', 'info', '2026-01-01T00:00:00.000Z');
    miner.add('download resumed at 2097152 of 4194304 bytes', 'update', 'info', '2026-01-01T00:00:05.000Z');
    miner.add('download resumed at 0 of 99 bytes', 'update', 'warn', '2026-01-01T00:00:01.000Z');
    const [t, ...rest] = miner.templates();
    expect(rest).toEqual([]);
    expect(t).toMatchObject({
      subsystem: 'update',
      template: 'download resumed at <num> of <num> bytes',
      count: 3,
      levels: { info: 2, warn: 1 },
      level: 'warn',
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastSeen: '2026-01-01T00:00:05.000Z',
      example: 'download resumed at 1048576 of 4194304 bytes',
    });
  });

  it('turns the differing words of similar messages into wildcards, and keeps unlike messages apart', () => {
    const miner = new DrainMiner();
    const a = miner.add('health checks passed on slot A', 'boot');
    const b = miner.add('health checks passed on slot B', 'boot');
    const c = miner.add('watchdog expired: power cycle now please', 'boot');
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(
      miner
        .templates()
        .map((t) => t.template)
        .sort(),
    ).toEqual(['health checks passed on slot <*>', 'watchdog expired: power cycle now please']);
  });

  it('keeps subsystems and token counts apart', () => {
    const miner = new DrainMiner();
    const a = miner.add('lock acquired', 'gps');
    const b = miner.add('lock acquired', 'update');
    const c = miner.add('lock acquired again', 'gps');
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
  });

  it('sends tokens past maxChildren to a shared wildcard branch instead of growing without bound', () => {
    const miner = new DrainMiner({ maxChildren: 4 });
    for (let i = 0; i < 50; i++)
      miner.add(`user${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))} logged in`, 'ui');
    // The first 3 distinct words get their own branch; the rest meet in one cluster that generalises.
    expect(miner.templates().length).toBeLessThanOrEqual(4);
    expect(miner.templates().reduce((n, t) => n + t.count, 0)).toBe(50);
  });

  it('property: the same message with different numbers yields one template', () => {
    const word = fc.stringMatching(/^[a-z]{2,8}$/);
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 8 }),
        fc.array(fc.array(fc.integer({ min: -1e9, max: 1e9 }), { minLength: 9, maxLength: 9 }), { minLength: 2, maxLength: 20 }),
        (words, numberSets) => {
          const miner = new DrainMiner();
          const ids = new Set(numberSets.map((numbers) => miner.add(words.map((w, i) => `${w} ${numbers[i]}`).join(' '), 'gps').id));
          expect(ids.size).toBe(1);
          expect(miner.templates()[0]!.template).toBe(words.map((w) => `${w} <num>`).join(' '));
        },
      ),
    );
  });

  it('property: counts add up and every id is a template', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-c0-9 ]{0,20}$/), { maxLength: 60 }), (messages) => {
        const miner = new DrainMiner();
        for (const m of messages) miner.add(m, 'system');
        const templates = miner.templates();
        expect(templates.reduce((n, t) => n + t.count, 0)).toBe(messages.length);
        expect(miner.lineCount).toBe(messages.length);
      }),
    );
  });
});
