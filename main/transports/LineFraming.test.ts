import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineDecoder } from './LineFraming.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('LineDecoder', () => {
  it('joins a message split across chunks', () => {
    const decoder = new LineDecoder(1024);
    expect(decoder.push(bytes('{"type":"ca'))).toEqual([]);
    expect(decoder.push(bytes('ll","id":1'))).toEqual([]);
    expect(decoder.push(bytes('}\n'))).toEqual(['{"type":"call","id":1}']);
  });

  it('returns every message of a chunk, in order, and keeps the tail for the next chunk', () => {
    const decoder = new LineDecoder(1024);
    expect(decoder.push(bytes('{"a":1}\n{"b":2}\n{"c":'))).toEqual(['{"a":1}', '{"b":2}']);
    expect(decoder.push(bytes('3}\n'))).toEqual(['{"c":3}']);
  });

  it('returns an empty line as an empty message (the router answers it with BAD_MESSAGE)', () => {
    expect(new LineDecoder(1024).push(bytes('\n{"a":1}\n'))).toEqual(['', '{"a":1}']);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const whole = bytes('{"payload":"€ and 🎧"}\n');
    const euro = whole.indexOf(0xe2);
    const headset = whole.indexOf(0xf0);
    const decoder = new LineDecoder(1024);
    expect(decoder.push(whole.subarray(0, euro + 1))).toEqual([]);
    expect(decoder.push(whole.subarray(euro + 1, headset + 2))).toEqual([]);
    expect(decoder.push(whole.subarray(headset + 2))).toEqual(['{"payload":"€ and 🎧"}']);
  });

  it('accepts a message of exactly the limit and refuses one byte more', () => {
    expect(new LineDecoder(8).push(bytes('12345678\n'))).toEqual(['12345678']);
    expect(new LineDecoder(8).push(bytes('123456789\n'))).toBe('too-large');
  });

  it('refuses a message over the limit before its newline arrives (nothing unbounded is buffered)', () => {
    const decoder = new LineDecoder(8);
    expect(decoder.push(bytes('12345'))).toEqual([]);
    expect(decoder.push(bytes('6789'))).toBe('too-large');
  });

  it('refuses a message over the limit whose newline comes in a later chunk', () => {
    const decoder = new LineDecoder(8);
    expect(decoder.push(bytes('123456'))).toEqual([]);
    expect(decoder.push(bytes('789\n'))).toBe('too-large');
  });

  it('counts the limit per message, not per chunk', () => {
    const decoder = new LineDecoder(8);
    expect(decoder.push(bytes('1234567\n1234567\n1234567\n'))).toEqual(['1234567', '1234567', '1234567']);
    expect(decoder.push(bytes('abcd'))).toEqual([]);
    expect(decoder.push(bytes('efgh\n'))).toEqual(['abcdefgh']);
  });

  it('gives back exactly the messages sent, however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => JSON.stringify(s)),
          { maxLength: 8 },
        ),
        fc.array(fc.nat(), { maxLength: 10 }),
        (messages, cuts) => {
          const stream = bytes(messages.map((m) => `${m}\n`).join(''));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const decoder = new LineDecoder(1024);
          const out: string[] = [];
          let from = 0;
          for (const to of [...points, stream.length]) {
            const result = decoder.push(stream.subarray(from, to));
            if (result === 'too-large') throw new Error('unexpected too-large');
            out.push(...result);
            from = to;
          }
          expect(out).toEqual(messages);
        },
      ),
    );
  });
});
