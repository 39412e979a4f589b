import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Logger, type LogSink } from '../logging/Logger.js';
import { RedactingLogSink } from './RedactingLogSink.js';

class Lines implements LogSink {
  lines: string[] = [];
  append(line: string): void {
    this.lines.push(line);
  }
}

function logger() {
  const lines = new Lines();
  const sink = new RedactingLogSink([lines]);
  return { lines, sink, log: new Logger({ version: '1.0.0', commit: 'c', bootId: 'b' }, [sink], 'debug') };
}

describe('RedactingLogSink', () => {
  it('passes ordinary lines through untouched and keeps what helps troubleshooting', () => {
    const { lines, sink, log } = logger();
    log.for('network').info('joined', { ssid: 'Cafe', ip: '10.0.0.7', attempt: 2 });
    log.for('update').info('update 1.4.0 committed at 10:02:34');
    expect(sink.redacted).toBe(0);
    expect(lines.lines.join('')).toContain('"ssid":"Cafe"');
    expect(JSON.parse(lines.lines[1]!)).toMatchObject({ msg: 'update 1.4.0 committed at 10:02:34', seq: 2 });
  });

  it('redacts secrets by field name and in text, e-mails and precise positions', () => {
    const { lines, sink, log } = logger();
    log.for('network').warn('wrong PIN 493817 for jane@example.org at 48.8583701, 2.2944813', { psk: 'Tr0ub4dor&3', nested: { password: 'x1y2z3' }, lat: 48.8583701, lon: 2.2944813 });
    const text = lines.lines.join('');
    for (const secret of ['493817', 'jane@example.org', '48.858', '2.2944', 'Tr0ub4dor&3', 'x1y2z3']) expect(text).not.toContain(secret);
    expect(JSON.parse(lines.lines[0]!)).toMatchObject({ level: 'warn', subsystem: 'network', fields: { psk: '[redacted]', geohash: 'u09tu' } });
    expect(sink.redacted).toBe(1);
  });

  it('never lets a seeded secret through, whatever the message around it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.stringMatching(/^[A-Za-z0-9!#%&*]{6,20}$/), fc.constantFrom('psk', 'password', 'wifiPassword', 'pin', 'passphrase'), (text, secret, key) => {
        fc.pre(!text.includes(secret)); // the message may not hold the secret by chance
        const { lines, log } = logger();
        log.for('network').error(`${text} ${key}=${secret}`, { [key]: secret });
        expect(lines.lines[0]).not.toContain(secret);
      }),
      { numRuns: 200 },
    );
  });
});
