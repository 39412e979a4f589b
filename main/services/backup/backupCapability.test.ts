import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../src/api/client.js';
import type { BackupOverview, CallHandlers, EventSources, Scope } from '../../../src/api/contract.js';
import { createMemoryPortPair } from '../../../src/api/memoryPort.js';
import { ApiRouter } from '../../../src/api/router.js';
import { errorCodeOf } from '../../../test-support/api/errorCodes.js';
import { RIG_CLASSES, createBackupRig, fillSmallPartition, startRestServer, type BackupRig } from '../../../test-support/backup/backupRig.js';
import { SimulatedUsbStick } from '../logging/ExportMedium.js';
import { Logger } from '../logging/Logger.js';
import { backupCapability, cloudEndpointFile } from './backupCapability.js';

const SEEDED = 'Seeded-Passphrase-7f3a9c2e';
const LOCAL_UI = new Set<Scope>(['status', 'user', 'unlocked', 'recovery']);
let rig: BackupRig;
const stops: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await rig?.cleanup();
});

/** The capability behind the real router, with every log line and every message the client receives kept whole. */
async function startBackup(options: { cloudUrl?: string } = {}) {
  const logLines: string[] = [];
  // No redaction here: the passphrase must not reach a log line at all, redacted or not.
  const logger = new Logger({ version: 'test', commit: 'test', bootId: 'boot' }, [{ append: (line) => logLines.push(line) }], 'debug');
  const workDir = join(rig.dataDir, 'headsetd', 'backup');
  if (options.cloudUrl) {
    await mkdir(workDir, { recursive: true });
    await writeFile(cloudEndpointFile(workDir), JSON.stringify({ url: options.cloudUrl }));
  }
  const capability = backupCapability({
    dataDir: rig.dataDir,
    localDir: rig.localDir,
    workDir,
    usbStick: new SimulatedUsbStick(rig.usbDir),
    classes: { classes: () => RIG_CLASSES },
    model: 'HX-1',
    appVersion: '1.4.0',
    host: () => 'device-0001',
    secrets: rig.secrets,
    log: logger.for('backup'),
    presenceEveryMs: 100,
  });
  await capability.start!();
  stops.push(() => capability.stop!());
  const router = new ApiRouter(capability.handlers as CallHandlers, capability.events as EventSources, { mode: () => 'settings' });
  const [host, port] = createMemoryPortPair();
  const received: string[] = [];
  port.onMessage((message) => received.push(typeof message === 'string' ? message : JSON.stringify(message)));
  router.connect(host, { label: 'test', scopes: LOCAL_UI });
  const client = new ApiClient(port);
  return { client, logLines, received };
}

/** Every process's command line and environment, sampled while `work` runs. */
async function sampleProcesses<T>(work: () => Promise<T>): Promise<{ result: T; seen: string[]; samples: number }> {
  const seen: string[] = [];
  let samples = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      for (const pid of await readdir('/proc').catch(() => [] as string[])) {
        if (!/^\d+$/.test(pid)) continue;
        for (const file of ['cmdline', 'environ']) {
          const text = await readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => '');
          if (text.includes('restic')) samples++;
          seen.push(text);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    return { result: await work(), seen, samples };
  } finally {
    running = false;
    await sampler;
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

describe('backup capability through the router', () => {
  it(
    'never lets the passphrase out: not in logs, process command lines or environments, API answers and events, or files',
    { timeout: 180_000 },
    async () => {
      rig = await createBackupRig();
      await fillSmallPartition(rig);
      const { client, logLines, received } = await startBackup();
      const events: BackupOverview[] = [];
      client.subscribe('backup.changed', (overview) => events.push(overview));

      const { seen, samples } = await sampleProcesses(async () => {
        const record = await client.call('backup.run', { destination: 'usb', passphrase: SEEDED });
        expect(record.verified?.result).toBe('ok');
        await client.call('backup.verify', { destination: 'usb', passphrase: SEEDED });
        await client.call('backup.browse', { destination: 'usb', passphrase: SEEDED });
        await client.call('backup.restore', { destination: 'usb', classes: ['profile'], passphrase: SEEDED });
        // Wrong ones, whose errors carry restic's words back.
        expect(await errorCodeOf(client.call('backup.run', { destination: 'usb', passphrase: `${SEEDED}-wrong` }))).toBe('BACKUP_WRONG_PASSPHRASE');
        expect(await errorCodeOf(client.call('backup.restore', { destination: 'usb', passphrase: `x${SEEDED}` }))).toBe('BACKUP_WRONG_PASSPHRASE');
      });
      // The sampler saw restic running (it checked something real).
      expect(samples).toBeGreaterThan(0);
      expect(events.some((e) => e.activity.state === 'backing-up')).toBe(true);
      expect(events.some((e) => e.activity.state === 'restoring')).toBe(true);

      const hits = (where: string, texts: string[]) => texts.filter((text) => text.includes(SEEDED)).map(() => where);
      const files = [...(await filesUnder(rig.dataDir)), ...(await filesUnder(rig.usbDir))];
      const fileTexts = await Promise.all(files.map((file) => readFile(file, 'latin1')));
      const leaks = [...hits('log', logLines), ...hits('/proc', seen), ...hits('api', received), ...hits('file', fileTexts)];
      expect(leaks).toEqual([]);
      expect(logLines.length).toBeGreaterThan(0);
      expect(received.length).toBeGreaterThan(5);
      // Held only during the calls.
      expect(rig.secrets.size).toBe(0);
    },
  );

  it(
    'backs up to the cloud over restic REST (rclone serve restic --append-only), keeps everything there, restores',
    { timeout: 180_000 },
    async () => {
      rig = await createBackupRig();
      await fillSmallPartition(rig);
      const server = await startRestServer(join(rig.root, 'rest'));
      stops.push(server.stop);
      const { client } = await startBackup({ cloudUrl: server.url('headset-0001') });
      const status = await client.call('backup.status');
      expect(status.destinations.find((d) => d.kind === 'cloud')).toEqual({ kind: 'cloud', present: true, appliesRetention: false });
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        await rig.write('profile/counter.txt', String(i));
        ids.push((await client.call('backup.run', { destination: 'cloud', passphrase: SEEDED })).id);
      }
      // The local retention (keep 5) is not applied: an append-only server refuses deletes, and it is the server's job.
      const found = await client.call('backup.browse', { destination: 'cloud', passphrase: SEEDED });
      expect(found).toHaveLength(6);
      await writeFile(join(rig.dataDir, 'profile/counter.txt'), 'changed');
      await client.call('backup.restore', { destination: 'cloud', classes: ['profile'], passphrase: SEEDED, backupId: ids[2] });
      expect(await readFile(join(rig.dataDir, 'profile/counter.txt'), 'utf8')).toBe('2');
      // The server being gone is its own error.
      await server.stop();
      expect(await errorCodeOf(client.call('backup.run', { destination: 'cloud', passphrase: SEEDED }))).toBe('BACKUP_DESTINATION_UNREACHABLE');
    },
  );

  it('reports a full stick as BACKUP_DESTINATION_FULL (a 2 MiB tmpfs), and the headset data is untouched', { timeout: 120_000 }, async () => {
    rig = await createBackupRig();
    await fillSmallPartition(rig);
    await rig.write('apps/media/clip.bin', 6_000_000);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', rig.usbDir]);
    stops.push(async () => {
      execFileSync('umount', [rig.usbDir]);
    });
    const { client } = await startBackup();
    const before = (await stat(join(rig.dataDir, 'apps/media/clip.bin'))).size;
    const error = await client.call('backup.run', { destination: 'usb', passphrase: SEEDED }).catch((e: { code: string }) => e);
    expect(error).toMatchObject({ code: 'BACKUP_DESTINATION_FULL' });
    expect((await stat(join(rig.dataDir, 'apps/media/clip.bin'))).size).toBe(before);
    expect((await client.call('backup.status')).backups).toEqual([]);
  });
});
