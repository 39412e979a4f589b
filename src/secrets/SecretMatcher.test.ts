import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretMatcher, type SecretGroup } from './SecretMatcher.js';

/** The obvious search the matcher must agree with: every form, every position. */
function naiveOccurs(groups: SecretGroup[], text: string, from: number, to: number): boolean {
  return groups.some((g) =>
    g.forms.some((form) => {
      for (let at = text.indexOf(form, from); at >= 0 && at + form.length <= to; at = text.indexOf(form, at + 1)) {
        if (!g.wholeWord || (!/[\p{L}\p{N}]/u.test(text[at - 1] ?? ' ') && !/[\p{L}\p{N}]/u.test(text[at + form.length] ?? ' '))) return true;
      }
      return false;
    }),
  );
}

// A small alphabet, so secrets do occur in the generated texts, at any offset and overlapping.
const alphabet = fc.constantFrom('a', 'b', 'c', '1', '2', ' ', '"');
const secret = (min: number) => fc.array(alphabet, { minLength: min, maxLength: 12 }).map((cs) => cs.join(''));
const text = fc.array(alphabet, { maxLength: 200 }).map((cs) => cs.join(''));

describe('SecretMatcher', () => {
  it('finds exactly what a naive search finds, with few secrets (anchors) and many (sampled grams)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(secret(8), { minLength: 1, maxLength: 40 }),
        text,
        fc.nat(),
        fc.nat(),
        (count, values, body, a, b) => {
          const groups = values.slice(0, count).map((v) => ({ forms: [v], wholeWord: false }));
          // Half the time plant one of the secrets so a hit is as likely as a miss.
          const planted =
            a % 2 === 0 ? body.slice(0, b % (body.length + 1)) + groups[a % groups.length]!.forms[0] + body.slice(b % (body.length + 1)) : body;
          const from = a % (planted.length + 1);
          const to = from + (b % (planted.length - from + 1));
          expect(new SecretMatcher(groups).occursIn(planted, from, to)).toBe(naiveOccurs(groups, planted, from, to));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('with many secrets, finds the shortest at every offset and range edge', () => {
    // 24 secrets: past the anchors' limit, so the sampled grams answer.
    const values = Array.from({ length: 24 }, (_, i) => `s${String(i).padStart(2, '0')}-${'xyzw'.slice(i % 4)}${'q'.repeat(i % 4)}`.padEnd(8, 'p'));
    const m = new SecretMatcher(values.map((v) => ({ forms: [v], wholeWord: false })));
    for (const value of values) {
      for (let offset = 0; offset < 12; offset++) {
        const line = `${'.'.repeat(offset)}${value}${'.'.repeat(11 - offset)}`;
        expect(m.occursIn(line), `${value} at ${offset}`).toBe(true);
        expect(m.occursIn(line, offset, offset + value.length)).toBe(true);
        expect(m.occursIn(line, offset + 1)).toBe(false);
        expect(m.occursIn(line, 0, offset + value.length - 1)).toBe(false);
      }
    }
    expect(m.occursIn(values.map((v) => v.slice(1)).join(' '))).toBe(false);
  });

  it('redacts every occurrence and leaves nothing of overlapping or touching secrets', () => {
    fc.assert(
      fc.property(fc.array(secret(8), { minLength: 1, maxLength: 30 }), text, (values, body) => {
        const groups = values.map((v) => ({ forms: [v], wholeWord: false }));
        const out = new SecretMatcher(groups).redact(body, '#');
        for (const v of values) expect(out).not.toContain(v);
        if (!naiveOccurs(groups, body, 0, body.length)) expect(out).toBe(body);
      }),
      { numRuns: 300 },
    );
  });

  it('merges overlapping, contained and adjacent occurrences into one marker', () => {
    const m = new SecretMatcher([
      { forms: ['abcdefgh12'], wholeWord: false },
      { forms: ['gh12345678'], wholeWord: false },
      { forms: ['cdef'], wholeWord: false },
      { forms: ['ZZZZZZZZ'], wholeWord: false },
    ]);
    expect(m.redact('x abcdefgh12345678 y', '[r]')).toBe('x [r] y');
    expect(m.redact('ZZZZZZZZabcdefgh12.', '[r]')).toBe('[r].');
    expect(m.redact('ZZZZZZZZZ', '[r]')).toBe('[r]'); // overlapping occurrences of one secret
  });

  it('finds a whole-word secret only where no letter or digit touches it, escapes counting as boundaries', () => {
    const m = new SecretMatcher([{ forms: ['4711'], wholeWord: true }]);
    expect(m.occursIn('PIN 4711.')).toBe(true);
    expect(m.occursIn('"msg":"4711"')).toBe(true);
    expect(m.occursIn('"msg":"a\\n4711"')).toBe(true); // a JSON line: a new line, then the PIN
    expect(m.occursIn('"msg":"\\u00014711"')).toBe(true);
    expect(m.occursIn('bytes 47110 and 14711 and x4711')).toBe(false);
    expect(m.redact('4711 then 47110 then (4711)', '#')).toBe('# then 47110 then (#)');
  });

  it('searches only the range it is given', () => {
    const m = new SecretMatcher([{ forms: ['secret-value-1'], wholeWord: false }]);
    const line = 'secret-value-1 | other';
    expect(m.occursIn(line, 1)).toBe(false);
    expect(m.occursIn(line, 0, 13)).toBe(false);
    expect(m.occursIn(line, 0, 14)).toBe(true);
  });

  it('finds nothing when empty', () => {
    expect(SecretMatcher.EMPTY.occursIn('anything')).toBe(false);
    expect(SecretMatcher.EMPTY.redact('anything', '#')).toBe('anything');
  });
});
