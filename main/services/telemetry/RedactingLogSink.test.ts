import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../../src/secrets/SecretRegistry.js';
import { Logger, type LogSink } from '../logging/Logger.js';
import { RedactingLogSink } from './RedactingLogSink.js';

class Lines implements LogSink {
  lines: string[] = [];
  append(line: string): void {
    this.lines.push(line);
  }
}

function logger(secrets?: SecretRegistry) {
  const lines = new Lines();
  const sink = new RedactingLogSink([lines], secrets);
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
    log.for('network').warn('wrong PIN 493817 for jane@example.org at 48.8583701, 2.2944813', {
      psk: 'Tr0ub4dor&3',
      nested: { password: 'x1y2z3' },
      lat: 48.8583701,
      lon: 2.2944813,
    });
    const text = lines.lines.join('');
    for (const secret of ['493817', 'jane@example.org', '48.858', '2.2944', 'Tr0ub4dor&3', 'x1y2z3']) expect(text).not.toContain(secret);
    expect(JSON.parse(lines.lines[0]!)).toMatchObject({ level: 'warn', subsystem: 'network', fields: { psk: '[redacted]', geohash: 'u09tu' } });
    expect(sink.redacted).toBe(1);
  });

  it('never lets a seeded secret through, whatever the message around it', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }),
        fc.stringMatching(/^[A-Za-z0-9!#%&*]{6,20}$/),
        fc.constantFrom('psk', 'password', 'wifiPassword', 'pin', 'passphrase'),
        (text, secret, key) => {
          fc.pre(!text.includes(secret)); // the message may not hold the secret by chance
          const { lines, log } = logger();
          log.for('network').error(`${text} ${key}=${secret}`, { [key]: secret });
          expect(lines.lines[0]).not.toContain(secret);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('cuts registered secrets out by value, whatever the sentence, in the message, the fields and their keys', () => {
    const secrets = new SecretRegistry();
    secrets.register('Tr0ub4dor&3-wifi', 'wifi password HomeNet');
    secrets.register('b4ckup "pass" \\ phrase', 'backup passphrase');
    const { lines, sink, log } = logger(secrets);
    log.for('network').info('wpa_passphrase "HomeNet" "Tr0ub4dor&3-wifi"');
    log.for('network').info('the wifi key for HomeNet is Tr0ub4dor&3-wifi', {
      note: 'Tr0ub4dor&3-wifi',
      ['Tr0ub4dor&3-wifi']: 1,
      url: `wifi://HomeNet?k=${encodeURIComponent('Tr0ub4dor&3-wifi')}`,
    });
    log
      .for('system')
      .warn(`backup said {"passphrase":${JSON.stringify('b4ckup "pass" \\ phrase')}}`, { body: JSON.stringify({ p: 'b4ckup "pass" \\ phrase' }) });
    const text = lines.lines.join('');
    for (const form of ['Tr0ub4dor', '4dor&3', 'Tr0ub4dor%263', 'b4ckup', 'pass\\" ']) expect(text).not.toContain(form);
    expect(lines.lines.map((l) => JSON.parse(l).msg)).toEqual([
      'wpa_passphrase "HomeNet" "[redacted]"',
      'the wifi key for HomeNet is [redacted]',
      'backup said {"passphrase":[redacted]}',
    ]);
    expect(JSON.parse(lines.lines[1]!).fields).toEqual({ note: '[redacted]', '[redacted]': 1, url: 'wifi://HomeNet?k=[redacted]' });
    expect(sink.redacted).toBe(3);
  });

  it('cuts a short registered value (the PIN being entered) only where it stands alone', () => {
    const secrets = new SecretRegistry();
    secrets.register('4711', 'pin being entered');
    const { lines, log } = logger(secrets);
    log.for('system').info('digits so far\n4711 entered', { bytes: 47110, code: 4711 });
    log.for('update').info('download 14711 of 47110 bytes');
    expect(JSON.parse(lines.lines[0]!)).toMatchObject({ msg: 'digits so far\n[redacted] entered', fields: { bytes: 47110, code: '[redacted]' } });
    expect(JSON.parse(lines.lines[1]!).msg).toBe('download 14711 of 47110 bytes');
  });

  it('leaves ordinary lines as they are with secrets registered, and stops cutting a value once it is unregistered', () => {
    const secrets = new SecretRegistry();
    const unregister = secrets.register('0123456789abcdef0123456789abcdef', 'token');
    const { lines, sink, log } = logger(secrets);
    log.for('update').info('download progress', { bytes: 1_048_576, total: 52_428_800 });
    expect(sink.redacted).toBe(0);
    unregister();
    log.for('update').info('token 0123456789abcdef0123456789abcdef was'); // patterns still see "token <value>"
    log.for('update').info('now 0123456789abcdef0123456789abcdef');
    expect(JSON.parse(lines.lines[2]!).msg).toBe('now 0123456789abcdef0123456789abcdef');
  });
});
