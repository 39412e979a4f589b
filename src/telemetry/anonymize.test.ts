import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bucketToHour,
  classifyKey,
  coarsenLocation,
  mayNeedRedaction,
  REDACTED,
  redactText,
  scrubFields,
  scrubText,
  scrubValue,
} from './anonymize.js';
import { decodeGeohashBounds, encodeGeohash } from './geohash.js';

describe('scrubText', () => {
  it.each([
    ['mail me at jane.doe+vr@example.co.uk please', 'jane.doe+vr@example.co.uk', '[email]'],
    ['peer 192.168.1.23 refused', '192.168.1.23', '[ip]'],
    ['bound to fe80::1c2b:3aff:fe4d:5e6f%wlan0 now', 'fe80::1c2b', '[ip]'],
    ['full 2001:0db8:85a3:0000:0000:8a2e:0370:7334 address', '2001:0db8', '[ip]'],
    ['radio aa:bb:cc:dd:ee:ff up', 'aa:bb:cc:dd:ee:ff', '[mac]'],
    ['radio AA-BB-CC-DD-EE-FF up', 'AA-BB-CC-DD-EE-FF', '[mac]'],
    ["joined SSID 'Jane Home 5G' ok", 'Jane Home 5G', 'SSID [ssid]'],
    ['joined SSID="Cafe Corner" ok', 'Cafe Corner', '[ssid]'],
    ['wifi ssid: MyNet-42, signal 3', 'MyNet-42', '[ssid]'],
    ['opened /home/jdoe/.config/x', 'jdoe', '/home/[user]/'],
    ['opened /Users/Jane Smith/x', 'Jane', '/Users/[user]'],
    ['board serial number: HC1-XY-99812', 'HC1-XY-99812', '[serial]'],
    ['S/N 8812AB7', '8812AB7', '[serial]'],
    ['connect with password=hunter2 now', 'hunter2', 'password=[redacted]'],
    ['psk: "correct horse battery"', 'correct horse', 'psk: [redacted]'],
    ['user typed PIN 4711 wrong', '4711', 'PIN [redacted]'],
    ['token=abc.def.ghi', 'abc.def', 'token=[redacted]'],
    ['fix at 48.858370, 2.294481 locked', '48.858370', '[position]'],
    ['lat=48.85837 lon=2.294481', '48.85837', 'lat=[position]'],
    ['device 6f1c1f9e-3b0a-4f5e-9a4b-2a8f4c1d7e10 said', '6f1c1f9e', '[id]'],
  ])('%s', (input, secret, marker) => {
    const out = scrubText(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(marker);
  });

  it('leaves ordinary messages, times and versions alone', () => {
    for (const text of ['update 1.4.0 committed at 10:02:34 in slot B', 'std::vector overflow in gps', 'key rotation done', 'took 12.5 s']) {
      expect(scrubText(text)).toBe(text);
    }
  });

  it('bounds the length', () => {
    expect(scrubText('x'.repeat(10_000)).length).toBeLessThan(2100);
  });
});

describe('scrubFields', () => {
  it('redacts secrets by field name, however they are spelled', () => {
    const out = scrubFields({
      password: 'a1',
      wifiPassword: 'a2',
      wifi_psk: 'a3',
      PIN: 'a4',
      apiToken: 'a5',
      client_secret: 'a6',
      privateKey: 'a7',
      passphrase: 'a8',
      nested: { deeper: { pin: 'a9' } },
    });
    const text = JSON.stringify(out);
    for (let i = 1; i <= 9; i++) expect(text).not.toContain(`a${i}"`);
    expect(out.password).toBe(REDACTED);
  });

  it('replaces SSIDs, serials and user names, and drops free text', () => {
    const out = scrubFields({
      ssid: 'Home',
      bssid: '01:02:03:04:05:06',
      serialNumber: 'X1',
      username: 'jane',
      note: 'call me on 555',
      retries: 3,
      ok: true,
    });
    expect(out).toEqual({ ssid: '[ssid]', bssid: '[ssid]', serialNumber: '[serial]', username: '[user]', retries: 3, ok: true });
  });

  it('turns a latitude/longitude pair into a 5-character geohash', () => {
    const out = scrubFields({ lat: 48.85837, lon: 2.294481, accuracy: 4 });
    expect(out).toEqual({ geohash: 'u09tu', accuracy: 4 });
  });

  it('scrubs values of plain fields and keys', () => {
    expect(scrubFields({ error: 'ECONNREFUSED 10.0.0.7:443', 'jane@example.com': 1 })).toEqual({ error: 'ECONNREFUSED [ip]:443', '[email]': 1 });
  });

  it('bounds depth and size', () => {
    let deep: Record<string, unknown> = { v: 'bottom' };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    expect(JSON.stringify(scrubValue(deep))).toContain('[truncated]');
    expect((scrubValue(Array.from({ length: 1000 }, (_, i) => i)) as number[]).length).toBe(100);
  });

  it('classifies keys by whole words (ping is not a pin, keyboard not a key)', () => {
    expect(classifyKey('ping')).toBe('plain');
    expect(classifyKey('mapping')).toBe('plain');
    expect(classifyKey('keyboardLayout')).toBe('plain');
    expect(classifyKey('pinCode')).toBe('secret');
    expect(classifyKey('WIFI_PASSWORD')).toBe('secret');
  });
});

// ---- properties: whatever surrounds a seeded secret, the scrubbed output never contains it ----

const filler = fc.string({ maxLength: 40 }).map((s) => s.replace(/[@:.\-/\\'"=]/g, ' '));
const localPart = fc.stringMatching(/^[a-z][a-z0-9._]{2,12}[a-z0-9]$/);
const email = fc.tuple(localPart, fc.stringMatching(/^[a-z]{3,10}$/), fc.constantFrom('com', 'org', 'example')).map(([l, d, t]) => `${l}@${d}.${t}`);
const ipv4 = fc.tuple(fc.integer({ min: 1, max: 255 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((p) => p.join('.'));
const mac = fc.array(fc.nat(255), { minLength: 6, maxLength: 6 }).map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':'));
const secretValue = fc.stringMatching(/^[A-Za-z0-9!#$%^&*]{6,24}$/);
const userName = fc.stringMatching(/^[a-z][a-z0-9_]{3,15}$/);

// Secrets in quoted keys (JSON, Python reprs, escaped JSON inside a string) and HTTP credentials.
const QUOTED_AND_HEADER_SECRETS: Array<[string, string]> = [
  ['request failed: {"password":"hunter2"}', 'hunter2'],
  ['request failed: {"password": "hunter 2"}', 'hunter 2'],
  ["config {'psk': 'hunter2'}", 'hunter2'],
  ['body {\\"wifiPassword\\":\\"hunter2\\"}', 'hunter2'],
  ['Authorization: Bearer abc.def.ghi', 'abc.def.ghi'],
  ['headers {"authorization":"Basic dXNlcjpodW50ZXIy"}', 'dXNlcjpodW50ZXIy'],
  ['retrying with bearer abc.def.ghi after 401', 'abc.def.ghi'],
  ['Proxy-Authorization: Digest username="jane"', 'jane'],
];

describe('secrets in quoted keys and HTTP credentials', () => {
  it.each(QUOTED_AND_HEADER_SECRETS)('%s', (input, secret) => {
    expect(scrubText(input)).not.toContain(secret);
    expect(redactText(input)).not.toContain(secret);
    expect(redactText(input)).toContain(REDACTED);
    // The log sink's fast pre-check must let every one of these through to redaction.
    expect(mayNeedRedaction(input)).toBe(true);
    expect(mayNeedRedaction(JSON.stringify({ msg: input }))).toBe(true);
  });
});

describe('scrubbing properties', () => {
  it('an email, IPv4 or MAC in any text never survives', () => {
    fc.assert(
      fc.property(filler, fc.oneof(email, ipv4, mac), filler, (before, secret, after) => {
        expect(scrubText(`${before} ${secret} ${after}`)).not.toContain(secret);
      }),
      { numRuns: 300 },
    );
  });

  it('a secret in a secret-named field never survives, at any depth, nor in text after "password="', () => {
    fc.assert(
      fc.property(
        secretValue,
        fc.constantFrom('password', 'wifiPassword', 'psk', 'pin', 'passphrase', 'token', 'secret', 'apiKey'),
        fc.nat(5),
        filler,
        (secret, key, depth, text) => {
          fc.pre(!text.includes(secret)); // the surrounding text may not hold the secret by chance
          let fields: Record<string, unknown> = { [key]: secret };
          for (let i = 0; i < depth; i++) fields = { level: fields };
          expect(JSON.stringify(scrubFields(fields))).not.toContain(secret);
          expect(scrubText(`${text} ${key}=${secret} ${text}`)).not.toContain(secret);
          for (const line of [
            `${text} {"${key}":"${secret}"} ${text}`,
            `${text} {'${key}': '${secret}'} ${text}`,
            `${text} Authorization: Bearer ${secret}`,
          ]) {
            expect(scrubText(line)).not.toContain(secret);
            expect(redactText(line)).not.toContain(secret);
            expect(mayNeedRedaction(line)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a user name in a home path never survives', () => {
    fc.assert(
      fc.property(userName, fc.constantFrom('/home/', '/Users/'), (name, prefix) => {
        expect(scrubText(`failed to open ${prefix}${name}/config.json`)).not.toContain(`${prefix}${name}`);
      }),
    );
  });

  it('a precise position never survives: only a 5-character geohash whose cell holds it', () => {
    fc.assert(
      fc.property(fc.double({ min: -89.9, max: 89.9, noNaN: true }), fc.double({ min: -179.9, max: 179.9, noNaN: true }), (latitude, longitude) => {
        const precise = `${latitude.toFixed(6)}, ${longitude.toFixed(6)}`;
        expect(scrubText(`fix ${precise}`)).not.toContain(precise);
        const out = scrubFields({ latitude, longitude });
        expect(Object.keys(out)).toEqual(['geohash']);
        const bounds = decodeGeohashBounds(out.geohash as string);
        expect(latitude).toBeGreaterThanOrEqual(bounds.south);
        expect(latitude).toBeLessThanOrEqual(bounds.north);
        expect(longitude).toBeGreaterThanOrEqual(bounds.west);
        expect(longitude).toBeLessThanOrEqual(bounds.east);
      }),
    );
  });
});

describe('location and time', () => {
  it('encodes geohashes as the reference does', () => {
    // Reference values from the geohash.org algorithm description.
    expect(encodeGeohash(57.64911, 10.40744, 11)).toBe('u4pruydqqvj');
    expect(encodeGeohash(42.6, -5.6, 5)).toBe('ezs42');
  });

  it('a geohash-5 cell is about 5 km', () => {
    const b = decodeGeohashBounds(encodeGeohash(48.85, 2.29, 5));
    expect((b.north - b.south) * 111_000).toBeGreaterThan(4000);
    expect((b.north - b.south) * 111_000).toBeLessThan(5000);
  });

  it('snaps to the nearest point of a known track when close, else coarsens', () => {
    const track = {
      id: 'circuit-1',
      points: [
        { latitude: 45.0, longitude: 7.0 },
        { latitude: 45.001, longitude: 7.0 },
        { latitude: 45.002, longitude: 7.0 },
      ],
    };
    expect(coarsenLocation({ latitude: 45.00105, longitude: 7.0003 }, [track])).toEqual({ track: 'circuit-1', point: 1 });
    expect(coarsenLocation({ latitude: 45.1, longitude: 7.0 }, [track])).toEqual({ geohash: encodeGeohash(45.1, 7.0, 5) });
  });

  it('buckets times to the hour', () => {
    expect(bucketToHour(new Date('2026-11-22T10:47:13.250Z')).toISOString()).toBe('2026-11-22T10:00:00.000Z');
  });
});
