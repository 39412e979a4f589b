import { expect, it } from 'vitest';
import { SecretRegistry } from '../../src/secrets/SecretRegistry.js';
import { journalLine } from './journal.js';

it('what headsetd prints for the journal is redacted like its log', () => {
  const lines = [
    'telemetry: request failed: {"password":"hunter2-json"}',
    "boot 3: slot B, config {'psk': 'hunter2-dict'}",
    'update check: Authorization: Bearer abc.def.ghi refused',
    'join failed: Wi-Fi password is "correct horse battery", PIN 4711, account anna.berg@example.org',
    'fix 48.858370, 2.294481',
  ];
  const printed = lines.map((line) => journalLine(line)).join('\n');
  for (const secret of ['hunter2-json', 'hunter2-dict', 'abc.def.ghi', 'correct horse battery', '4711', 'anna.berg@example.org', '48.858370'])
    expect(printed).not.toContain(secret);
  expect(journalLine('API socket /run/headsetd/headsetd.sock')).toBe('headsetd: API socket /run/headsetd/headsetd.sock');
});

it('a registered secret is cut out of a journal line whatever the words around it', () => {
  const secrets = new SecretRegistry();
  secrets.register('Tr0ub4dor&3-wifi', 'wifi password HomeNet');
  const printed = [
    journalLine('wpa_passphrase "HomeNet" "Tr0ub4dor&3-wifi"', secrets),
    journalLine('the wifi key for HomeNet is Tr0ub4dor&3-wifi', secrets),
  ];
  expect(printed).toEqual(['headsetd: wpa_passphrase "HomeNet" "[redacted]"', 'headsetd: the wifi key for HomeNet is [redacted]']);
});
