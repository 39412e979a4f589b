import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SecretRegistry } from '../../../src/secrets/SecretRegistry.js';
import { CrashRecorder } from './CrashRecorder.js';

const root = mkdtempSync(join(tmpdir(), 'crash-secrets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('cuts registered secrets out of the error and of the recent lines another process brings, escaped forms too', async () => {
  const secrets = new SecretRegistry();
  const password = 'Tr0ub4dor&3 "wifi"';
  secrets.register(password, 'wifi password HomeNet');
  const crashes = new CrashRecorder(
    root,
    { version: '1.0.0', commit: 'c', bootId: () => 'b', recentLines: () => [], lastHealth: () => undefined },
    { secrets },
  );
  // The renderer's own lines, never through headsetd's redacting sink: JSON lines and plain text.
  const recentLines = [
    JSON.stringify({ level: 'info', subsystem: 'ui', msg: `wpa_passphrase "HomeNet" ${JSON.stringify(password)}`, fields: { typed: password } }),
    `the wifi key for HomeNet is ${password}`,
  ];
  const id = crashes.recordSync({
    process: 'renderer',
    error: { name: 'Error', message: `join failed with ${password}`, stack: `Error: join failed with ${password}\n    at join (app.js:1:1)` },
    recentLines,
  })!;
  const text = readFileSync(join(root, `${id}.json`), 'utf8');
  for (const form of ['Tr0ub4dor', JSON.stringify(password).slice(1, -1)]) expect(text).not.toContain(form);
  const record = await crashes.read(id);
  expect(record.error).toEqual({
    name: 'Error',
    message: 'join failed with [redacted]',
    stack: 'Error: join failed with [redacted]\n    at join (app.js:1:1)',
  });
  expect(record.recentLines).toEqual([
    { level: 'info', subsystem: 'ui', msg: 'wpa_passphrase "HomeNet" "[redacted]"', fields: { typed: '[redacted]' } },
    'the wifi key for HomeNet is [redacted]',
  ]);
});
