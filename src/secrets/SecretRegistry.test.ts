import { describe, expect, it } from 'vitest';
import { redactSecretsIn } from './redactSecretsIn.js';
import { SecretRegistry, SecretTooShortError } from './SecretRegistry.js';

describe('SecretRegistry', () => {
  it('cuts a registered value out of any sentence, until it is unregistered', () => {
    const secrets = new SecretRegistry();
    const unregister = secrets.register('Tr0ub4dor&3-wifi', 'wifi password HomeNet');
    const sentences = [
      'wpa_passphrase "HomeNet" "Tr0ub4dor&3-wifi"',
      'the wifi key for HomeNet is Tr0ub4dor&3-wifi',
      'Tr0ub4dor&3-wifiTr0ub4dor&3-wifi',
    ];
    expect(sentences.map((s) => secrets.redact(s))).toEqual([
      'wpa_passphrase "HomeNet" "[redacted]"',
      'the wifi key for HomeNet is [redacted]',
      '[redacted]',
    ]);
    expect(secrets.holds(sentences[1]!)).toBe(true);
    unregister();
    expect(secrets.redact(sentences[1]!)).toBe(sentences[1]);
    expect(secrets.holds(sentences[1]!)).toBe(false);
    expect(secrets.size).toBe(0);
  });

  it('matches the forms a value takes in a JSON line: escaped once, twice, and percent-encoded', () => {
    const secrets = new SecretRegistry();
    const value = 'pa"ss\\wörd 1/2';
    secrets.register(value, 'backup passphrase');
    const line = JSON.stringify({
      msg: `said ${value}`,
      fields: { body: JSON.stringify({ passphrase: value }), url: `https://x/?p=${encodeURIComponent(value)}` },
    });
    expect(line).not.toContain(value); // only its escaped forms are in the line
    expect(secrets.holds(line)).toBe(true);
    const redacted = secrets.redact(line);
    expect(JSON.parse(redacted)).toEqual({ msg: 'said [redacted]', fields: { body: '{"passphrase":"[redacted]"}', url: 'https://x/?p=[redacted]' } });
  });

  it('redacts decoded structures too: strings, keys and numbers holding a value', () => {
    const secrets = new SecretRegistry();
    secrets.register('9f86d081884c7d659a2feaa0c55ad015', 'token');
    secrets.register('493817', 'pin being entered');
    const fields = {
      note: 'token 9f86d081884c7d659a2feaa0c55ad015',
      ['9f86d081884c7d659a2feaa0c55ad015']: true,
      code: 493817,
      other: 4938170,
      list: ['x', { deep: 'pin 493817' }],
    };
    expect(redactSecretsIn(fields, secrets)).toEqual({
      note: 'token [redacted]',
      '[redacted]': true,
      code: '[redacted]',
      other: 4938170,
      list: ['x', { deep: 'pin [redacted]' }],
    });
  });

  it('cuts short values (a PIN) only where they stand alone, and refuses values too short to tell from a number', () => {
    const secrets = new SecretRegistry();
    secrets.register('4711', 'pin being entered');
    expect(secrets.redact('PIN 4711 entered; 47110 bytes, build 14711, 2026-04-711')).toBe(
      'PIN [redacted] entered; 47110 bytes, build 14711, 2026-04-711',
    );
    expect(() => secrets.register('123', 'too short')).toThrow(SecretTooShortError);
    expect(() => secrets.register('', 'empty')).toThrow(/too short|4 or more/);
  });

  it('leaves nothing of overlapping or nested values', () => {
    const secrets = new SecretRegistry();
    secrets.register('correct-horse', 'a');
    secrets.register('horse-battery-staple', 'b');
    secrets.register('battery', 'c');
    expect(secrets.redact('a correct-horse-battery-staple b battery c')).toBe('a [redacted] b [redacted] c');
  });

  it('keeps a value registered by two owners until both unregister; unregistering twice is harmless', () => {
    const secrets = new SecretRegistry();
    const first = secrets.register('shared-secret-1', 'network');
    const second = secrets.register('shared-secret-1', 'backup');
    first();
    first();
    expect(secrets.redact('x shared-secret-1')).toBe('x [redacted]');
    second();
    expect(secrets.redact('x shared-secret-1')).toBe('x shared-secret-1');
  });

  it('never shows a value: printing, serializing and inspecting give a count', () => {
    const secrets = new SecretRegistry();
    secrets.register('hunter2-very-secret', 'wifi');
    const inspectCustom = (secrets as unknown as Record<symbol, () => string>)[Symbol.for('nodejs.util.inspect.custom')]!;
    const shown = [
      String(secrets),
      JSON.stringify(secrets),
      inspectCustom.call(secrets),
      `${secrets}`,
      JSON.stringify({ secrets }),
      Object.keys(secrets).join(),
    ];
    for (const text of shown) expect(text).not.toContain('hunter2');
    expect(secrets.labels()).toEqual(['wifi']);
  });
});
