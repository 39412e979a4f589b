import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { entry, writeLogFolder } from '../../../test-support/logging/logTestFiles.js';
import { SimulatedUsbStick } from './ExportMedium.js';
import { LogArchive } from './LogArchive.js';
import { LogExporter } from './LogExporter.js';

const root = mkdtempSync(join(tmpdir(), 'log-export-records-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a log export carries the sanitization records', () => {
  it('copies every record beside the log file, once, byte for byte', async () => {
    const logs = join(root, 'logs');
    writeLogFolder(logs, [{ name: 'headsetd.log', records: [entry(Date.UTC(2026, 0, 1), 'info', 'reset', 'reset done', { seq: 1 })] }]);
    const records = join(root, 'records');
    mkdirSync(records);
    writeFileSync(join(records, '2026-01-01T00-00-00-000Z-a.json'), '{"record":{"id":"a"},"signature":"x"}\n');
    writeFileSync(join(records, '.partial.json.tmp'), 'half');
    const usb = join(root, 'usb');
    mkdirSync(usb);
    let now = Date.UTC(2026, 0, 2);
    const exporter = new LogExporter(new LogArchive(logs), new SimulatedUsbStick(usb), () => now, undefined, records);
    const first = await exporter.export({});
    expect(readdirSync(usb).sort()).toEqual([first.fileName, 'headset-sanitization-2026-01-01T00-00-00-000Z-a.json'].sort());
    expect(readFileSync(join(usb, 'headset-sanitization-2026-01-01T00-00-00-000Z-a.json'), 'utf8')).toBe('{"record":{"id":"a"},"signature":"x"}\n');
    writeFileSync(join(records, '2026-01-03T00-00-00-000Z-b.json'), '{"record":{"id":"b"},"signature":"y"}\n');
    now += 60_000;
    const second = await exporter.export({});
    expect(readdirSync(usb).filter((name) => name.startsWith('headset-sanitization-'))).toHaveLength(2);
    expect(readdirSync(usb)).toContain(second.fileName);
    expect(readdirSync(usb).some((name) => name.endsWith('.tmp'))).toBe(false);
  });
});
