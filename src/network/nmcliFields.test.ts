import { describe, expect, it } from 'vitest';
import { nmcliError } from './nmcliErrors.js';
import { escapeTerse, parsePropertyBlocks, parseTerse, splitTerseLine } from './nmcliFields.js';
import { checkSsid, checkWpaPassword, signalBars, ssidFromHex, ssidToHex } from './ssid.js';

const TRICKY_SSIDS = [
  'Café: "free" wifi',
  'back\\slash',
  'ends with \\',
  'a:b:c',
  '::',
  '   spaces   ',
  'it\'s "quoted"',
  '東京タワー無料',
  // 32 bytes of non-ASCII: ten 3-byte characters and one 2-byte one.
  `${'東'.repeat(10)}é`,
];

describe('the nmcli terse splitter', () => {
  it('splits only on unescaped colons and unescapes each field', () => {
    for (const ssid of TRICKY_SSIDS) {
      const line = ['*', escapeTerse(ssid), ssidToHex(ssid), '80', 'WPA2'].join(':');
      expect(splitTerseLine(line), ssid).toEqual(['*', ssid, ssidToHex(ssid), '80', 'WPA2']);
    }
  });

  it('reads what nmcli printed, empty fields included', () => {
    expect(splitTerseLine(' :Caf?\\: "x" \\\\ y:436166C3A93A:80:WPA1')).toEqual([' ', 'Caf?: "x" \\ y', '436166C3A93A', '80', 'WPA1']);
    expect(splitTerseLine('::')).toEqual(['', '', '']);
    expect(parseTerse(' :Home:486F6D65:60:\n*:Lab:4C6162:90:WPA2 WPA3\n', 5)).toEqual([
      [' ', 'Home', '486F6D65', '60', ''],
      ['*', 'Lab', '4C6162', '90', 'WPA2 WPA3'],
    ]);
  });

  it('refuses a line with another number of fields than asked for (output it cannot read)', () => {
    expect(() => parseTerse('a:b:c\n', 2)).toThrow(/3 fields where 2/);
  });
});

describe('several connections shown in one call', () => {
  it('splits the blocks at the key asked for first, values with colons kept whole, a missing setting absent', () => {
    // As nmcli 1.42 prints `-t -f connection.uuid,… connection show uuid A uuid B` (checked against the real one in the dbusmock test).
    const output = [
      'connection.uuid:42dcdeb2-6aef-4f5c-bb82-c65f1ac67ebf',
      'connection.autoconnect-priority:7',
      '802-11-wireless.ssid:A: b',
      '802-11-wireless-security.key-mgmt:wpa-psk',
      '',
      'connection.uuid:c9f73923-0a10-4175-994f-b2e2a87757b5',
      'connection.autoconnect-priority:3',
      '802-11-wireless.ssid:Open',
      '',
    ].join('\n');
    const blocks = parsePropertyBlocks(output, 'connection.uuid');
    expect(blocks.map((b) => Object.fromEntries(b))).toEqual([
      {
        'connection.uuid': '42dcdeb2-6aef-4f5c-bb82-c65f1ac67ebf',
        'connection.autoconnect-priority': '7',
        '802-11-wireless.ssid': 'A: b',
        '802-11-wireless-security.key-mgmt': 'wpa-psk',
      },
      { 'connection.uuid': 'c9f73923-0a10-4175-994f-b2e2a87757b5', 'connection.autoconnect-priority': '3', '802-11-wireless.ssid': 'Open' },
    ]);
    expect(parsePropertyBlocks('', 'connection.uuid')).toEqual([]);
    expect(() => parsePropertyBlocks('802-11-wireless.ssid:x\n', 'connection.uuid')).toThrow(/before connection.uuid/);
  });
});

describe('SSIDs and passwords', () => {
  it('takes 1 to 32 bytes, counted in UTF-8, and hex round-trips exactly', () => {
    const longest = `${'東'.repeat(10)}é`;
    expect(new TextEncoder().encode(longest).length).toBe(32);
    expect(() => checkSsid(longest)).not.toThrow();
    for (const ssid of TRICKY_SSIDS) expect(ssidFromHex(ssidToHex(ssid))).toBe(ssid);
    expect(() => checkSsid(`${longest}x`)).toThrow(expect.objectContaining({ code: 'NETWORK_SSID_INVALID', details: { bytes: 33, max: 32 } }));
    expect(() => checkSsid('é'.repeat(17))).toThrow(expect.objectContaining({ code: 'NETWORK_SSID_INVALID' }));
    expect(() => checkSsid('')).toThrow(expect.objectContaining({ code: 'NETWORK_SSID_INVALID' }));
  });

  it('takes WPA passphrases of 8 to 63 printable characters or 64 hex digits, never quoting them', () => {
    for (const ok of ['12345678', 'x'.repeat(63), 'a'.repeat(64).replace(/a/g, 'f')]) expect(() => checkWpaPassword(ok)).not.toThrow();
    for (const bad of ['1234567', 'x'.repeat(64), 'tab\there!', 'pässwört1']) {
      try {
        checkWpaPassword(bad);
        expect.unreachable(bad);
      } catch (error) {
        expect(error).toMatchObject({ code: 'NETWORK_PASSWORD_INVALID' });
        expect(JSON.stringify(error) + String(error)).not.toContain(bad);
      }
    }
  });

  it('draws the signal as bars', () => {
    expect([0, 14, 15, 35, 55, 75, 100].map(signalBars)).toEqual([0, 0, 1, 2, 3, 4, 4]);
  });
});

describe("nmcli's failures", () => {
  const fail = (exitCode: number | null, stderr: string, spawnError?: string) =>
    nmcliError({ exitCode, stderr, spawnError }, 'NETWORK_NOT_FOUND').code;

  it('maps not installed, a refused key, a network gone, other activation failures, not found and the rest', () => {
    expect(fail(null, '', 'ENOENT')).toBe('NETWORK_TOOL_MISSING');
    expect(fail(4, 'Error: Connection activation failed: Secrets were required, but not provided.')).toBe('NETWORK_WRONG_PASSWORD');
    expect(fail(4, 'Error: Connection activation failed: (7) Secrets were required, but not provided')).toBe('NETWORK_WRONG_PASSWORD');
    expect(fail(4, 'Error: Connection activation failed: The Wi-Fi network could not be found')).toBe('NETWORK_VANISHED');
    expect(fail(4, 'Error: Connection activation failed: IP configuration could not be reserved')).toBe('NETWORK_CONNECT_FAILED');
    expect(fail(10, "Error: No network with SSID 'x' found.")).toBe('NETWORK_NOT_FOUND');
    expect(nmcliError({ exitCode: 10, stderr: 'Error: unknown connection' }, 'NETWORK_UNKNOWN_PROFILE').code).toBe('NETWORK_UNKNOWN_PROFILE');
    expect(fail(8, 'Error: NetworkManager is not running.')).toBe('NETWORK_TOOL_FAILED');
    expect(nmcliError({ exitCode: null, signal: 'SIGTERM', stderr: '' }, 'NETWORK_NOT_FOUND')).toMatchObject({
      code: 'NETWORK_TOOL_FAILED',
      details: { signal: 'SIGTERM' },
    });
  });
});
