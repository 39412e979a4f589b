import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { SecretRegistry } from '../../../src/secrets/SecretRegistry.js';
import { SimulatedUsbStick } from './ExportMedium.js';
import { LogArchive } from './LogArchive.js';
import { LogExporter } from './LogExporter.js';

const root = mkdtempSync(join(tmpdir(), 'export-secrets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('cuts out of the export a secret registered after its line was written, and leaves the other lines byte for byte', async () => {
  const password = 'Tr0ub4dor&3 "wifi"';
  const base = { time: '2026-03-01T10:00:00.000Z', level: 'warn', subsystem: 'ui', version: '1.0.0', commit: 'c', bootId: 'b' };
  const lines = [
    JSON.stringify({ ...base, msg: `wpa_passphrase "HomeNet" ${JSON.stringify(password)}`, seq: 1 }),
    JSON.stringify({ ...base, msg: 'the wifi key for HomeNet is below', seq: 2, fields: { key: { typed: password } } }),
    JSON.stringify({ ...base, msg: 'nothing secret here', seq: 3, fields: { n: 4 } }),
  ];
  const logs = join(root, 'logs');
  mkdirSync(logs);
  writeFileSync(join(logs, 'headsetd.log'), `${lines.join('\n')}\n`);
  const usb = join(root, 'usb');
  mkdirSync(usb);
  const secrets = new SecretRegistry();
  secrets.register(password, 'wifi password HomeNet');
  const result = await new LogExporter(new LogArchive(logs), new SimulatedUsbStick(usb), () => Date.UTC(2026, 2, 2), secrets).export({});
  const exported = gunzipSync(readFileSync(join(usb, result.fileName)))
    .toString('utf8')
    .trimEnd()
    .split('\n');
  expect(exported.join('\n')).not.toContain('Tr0ub4dor');
  expect(JSON.parse(exported[0]!).msg).toBe('wpa_passphrase "HomeNet" "[redacted]"');
  expect(JSON.parse(exported[1]!).fields).toEqual({ key: { typed: '[redacted]' } });
  expect(exported[2]).toBe(lines[2]);
});
