import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretRegistry } from '../../src/secrets/SecretRegistry.js';
import { BackupService, type BackupServiceOptions } from '../../main/services/backup/BackupService.js';
import {
  ConfiguredCloudEndpoint,
  LocalFolderDestination,
  RestServerDestination,
  UsbStickDestination,
} from '../../main/services/backup/BackupDestinations.js';
import type { BackupClass } from '../../main/services/backup/ports.js';
import { SimulatedUsbStick } from '../../main/services/logging/ExportMedium.js';
import { capturedLog } from '../logging/capturedLog.js';

/** Classes like the registry's, over a small data partition the rig fills. */
export const RIG_CLASSES: BackupClass[] = [
  { id: 'profile', paths: ['profile'], backedUpByDefault: true },
  { id: 'app-data', paths: ['apps'], backedUpByDefault: true },
  { id: 'logs', paths: ['logs'], backedUpByDefault: false },
];

export interface BackupRig {
  root: string;
  dataDir: string;
  usbDir: string;
  localDir: string;
  logLines: string[];
  secrets: SecretRegistry;
  service(overrides?: Partial<BackupServiceOptions>): Promise<BackupService>;
  /** A file under the data partition with `bytes` random bytes (or the text). */
  write(path: string, content: number | string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function createBackupRig(options: { cloudUrl?: string; model?: string } = {}): Promise<BackupRig> {
  const root = await mkdtemp(join(tmpdir(), 'headset-backup-'));
  const dataDir = join(root, 'data');
  const usbDir = join(root, 'usb');
  const localDir = join(root, 'data', 'backups');
  await mkdir(usbDir, { recursive: true });
  const logLines: string[] = [];
  const secrets = new SecretRegistry();
  const rig: BackupRig = {
    root,
    dataDir,
    usbDir,
    localDir,
    logLines,
    secrets,
    async service(overrides = {}) {
      const service = new BackupService({
        dataDir,
        workDir: join(dataDir, 'headsetd', 'backup'),
        destinations: [
          new UsbStickDestination(new SimulatedUsbStick(usbDir)),
          new LocalFolderDestination(localDir),
          new RestServerDestination(new ConfiguredCloudEndpoint(options.cloudUrl)),
        ],
        classes: { classes: () => RIG_CLASSES },
        model: options.model ?? 'HX-1',
        appVersion: '1.4.0',
        host: () => 'device-0001',
        secrets,
        log: capturedLog(logLines, 'backup'),
        presencePollMs: 100,
        ...overrides,
      });
      await service.start();
      return service;
    },
    async write(path, content) {
      const full = join(dataDir, path);
      await mkdir(join(full, '..'), { recursive: true });
      await writeFile(full, typeof content === 'number' ? randomBytes(content) : content);
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  return rig;
}

/** A small partition: a profile, app data (many small files, one larger), logs. */
export async function fillSmallPartition(rig: BackupRig): Promise<void> {
  await rig.write('profile/settings.json', '{"ipd":63.5,"name":"Jane"}');
  await rig.write('profile/avatar.png', 20_000);
  for (let i = 0; i < 40; i++) await rig.write(`apps/game/saves/slot${i}.sav`, 3_000 + i);
  await rig.write('apps/game/cache.bin', 600_000);
  await rig.write('logs/headsetd.log', 'boot ok\n');
}

/** `rclone serve restic --append-only` on a free loopback port, serving `dir`. */
export async function startRestServer(dir: string): Promise<{ url: (name: string) => string; stop: () => Promise<void>; process: ChildProcess }> {
  const port = await freePort();
  await mkdir(dir, { recursive: true });
  const child = spawn('rclone', ['serve', 'restic', '--addr', `127.0.0.1:${port}`, '--append-only', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (await canConnect(port)) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`rclone serve restic did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: (name) => `rest:http://127.0.0.1:${port}/${name}`,
    process: child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      await closed;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}
