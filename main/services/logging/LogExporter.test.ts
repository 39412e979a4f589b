import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { settledCodeOf } from '../../../test-support/api/errorCodes.js';
import { MountedRemovableMedium, parseMounts, SimulatedUsbStick } from './ExportMedium.js';
import { LogArchive } from './LogArchive.js';
import { LogExporter } from './LogExporter.js';
import { entry, writeLogFolder } from '../../../test-support/logging/logTestFiles.js';

const root = mkdtempSync(join(tmpdir(), 'log-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const t0 = Date.UTC(2026, 2, 1);
const logs = join(root, 'logs');
writeLogFolder(logs, [
  {
    name: 'headsetd.20260301T010000000Z.log.gz',
    records: Array.from({ length: 500 }, (_, i) =>
      entry(t0 + i * 1000, i % 50 === 0 ? 'error' : 'info', i % 2 ? 'gps' : 'update', `line ${i}`, { seq: i }),
    ),
  },
  { name: 'headsetd.log', records: [entry(t0 + 600_000, 'error', 'update', 'install failed', { seq: 501 }), '{"torn":'] },
]);
const archive = new LogArchive(logs);
const now = () => Date.UTC(2026, 2, 2, 9, 30, 5);

describe('LogExporter', () => {
  it('writes the selected entries as gzip JSON lines that gzip itself reads, and leaves no temporary file', async () => {
    const usb = join(root, 'usb');
    mkdirSync(usb);
    const result = await new LogExporter(archive, new SimulatedUsbStick(usb), now).export({ levels: ['error'] });
    expect(result).toMatchObject({ fileName: 'headset-logs-20260302T093005Z.jsonl.gz', entries: 11 });
    expect(readdirSync(usb)).toEqual([result.fileName]);
    const text = execFileSync('gzip', ['-dc', join(usb, result.fileName)], { encoding: 'utf8' });
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(lines).toHaveLength(11);
    expect(lines.every((l) => l.level === 'error')).toBe(true);
    expect(lines.at(-1)!.msg).toBe('install failed');
    expect(result.bytes).toBeGreaterThan(0);
    // A second export in the same second gets its own name.
    const again = await new LogExporter(archive, new SimulatedUsbStick(usb), now).export({});
    expect(again).toMatchObject({ fileName: 'headset-logs-20260302T093005Z-2.jsonl.gz', entries: 501 });
  });

  it('says EXPORT_NO_MEDIUM when no stick is plugged in, and writes nothing', async () => {
    expect(await settledCodeOf(new LogExporter(archive, new SimulatedUsbStick(join(root, 'no-usb')), now).export({}))).toBe('EXPORT_NO_MEDIUM');
  });

  it('says EXPORT_FAILED when the medium cannot be written, and leaves nothing behind', async () => {
    const notAFolder = join(root, 'usb-file');
    writeFileSync(notAFolder, '');
    const medium = { locate: async () => notAFolder };
    expect(await settledCodeOf(new LogExporter(archive, medium, now).export({}))).toBe('EXPORT_FAILED');
  });

  it('a cut export (cancelled mid-way) leaves no file under the export name, and the next export works', async () => {
    const usb = join(root, 'usb-cut');
    mkdirSync(usb);
    const controller = new AbortController();
    controller.abort();
    expect(await settledCodeOf(new LogExporter(archive, new SimulatedUsbStick(usb), now).export({}, controller.signal))).toBe('CANCELLED');
    expect(readdirSync(usb)).toEqual([]);
    // What a power cut leaves: a hidden temporary file. It is ignored.
    writeFileSync(join(usb, '.headset-logs-20260302T093005Z.jsonl.gz.0000.tmp'), 'half');
    const result = await new LogExporter(archive, new SimulatedUsbStick(usb), now).export({ subsystems: ['gps'] });
    expect(result.entries).toBe(250);
  });
});

describe('MountedRemovableMedium', () => {
  it('reads /proc/mounts with its octal escapes', () => {
    expect(parseMounts('/dev/sdb1 /media/wearer/MY\\040STICK vfat rw,nosuid 0 0\nproc /proc proc rw 0 0\n')).toEqual([
      { source: '/dev/sdb1', target: '/media/wearer/MY STICK', type: 'vfat', options: ['rw', 'nosuid'] },
      { source: 'proc', target: '/proc', type: 'proc', options: ['rw'] },
    ]);
  });

  it('picks a writable block device mounted under the media roots, never a read-only one or another mount', async () => {
    const media = join(root, 'media');
    mkdirSync(join(media, 'STICK'), { recursive: true });
    mkdirSync(join(media, 'CDROM'), { recursive: true });
    const mounts = join(root, 'mounts');
    writeFileSync(
      mounts,
      `/dev/sr0 ${media}/CDROM iso9660 ro 0 0\ntmpfs ${media}/tmp tmpfs rw 0 0\n/dev/sdb1 ${media}/STICK vfat rw 0 0\n/dev/sda2 / ext4 rw 0 0\n`,
    );
    expect(await new MountedRemovableMedium(mounts, [`${media}/`]).locate()).toBe(join(media, 'STICK'));
    writeFileSync(mounts, `/dev/sda2 / ext4 rw 0 0\n`);
    expect(await new MountedRemovableMedium(mounts, [`${media}/`]).locate()).toBeUndefined();
  });
});
