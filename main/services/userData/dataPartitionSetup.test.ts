import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClassKeys } from './ClassKeys.js';
import { DataPartitionSetup, encryptedClasses, type DataPartitionTools } from './DataPartitionSetup.js';
import { LuksVolume, observeToolRuns, runTool } from './LinuxDataEncryption.js';
import { userDataRootsOf } from './userDataClasses.js';

// The linux headset's first boot, for real as root on image files: cryptsetup formats a LUKS2 image
// with the key on stdin, fscrypt gives each class folder its policy on a loop-mounted ext4 image.
// `cryptsetup open` needs device-mapper, which this kernel lacks: the test's `open` checks the key
// opens the LUKS image (`open --test-passphrase`) and answers a loop device of a second image in the
// mapped device's place. The TPM enrollment likewise checks the 0600 key file it is given.
const tools = ['cryptsetup', 'fscrypt', 'mkfs.ext4', 'losetup', 'mount'].every((tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`]);
    return true;
  } catch {
    return false;
  }
});
const runnable = process.getuid?.() === 0 && tools;
const work = mkdtempSync(join(tmpdir(), 'data-partition-'));

describe.skipIf(!runnable)('the linux data partition at first boot (LUKS2 image, fscrypt on a loop-mounted ext4 image)', () => {
  const luksImage = join(work, 'data.luks');
  const mappedImage = join(work, 'mapped.ext4');
  const varDir = join(work, 'var');
  let loop = '';
  let madeGlobalConfig = false;
  let madeRootMetadata = false;
  const mounted: string[] = [];

  beforeAll(() => {
    execFileSync('truncate', ['-s', '32M', luksImage]);
    execFileSync('truncate', ['-s', '64M', mappedImage]);
    loop = execFileSync('losetup', ['-f', '--show', mappedImage]).toString().trim();
    mkdirSync(varDir, { recursive: true });
    madeRootMetadata = !existsSync('/.fscrypt');
    if (!existsSync('/etc/fscrypt.conf')) {
      execFileSync('fscrypt', ['setup', '--force', '--quiet', '--time=1ms'], { stdio: ['ignore', 'pipe', 'pipe'] });
      madeGlobalConfig = true;
    }
  });

  afterAll(() => {
    for (const dir of mounted.splice(0)) execFileSync('umount', [dir], { stdio: 'ignore' });
    if (loop) execFileSync('losetup', ['-d', loop]);
    if (madeGlobalConfig) rmSync('/etc/fscrypt.conf', { force: true });
    if (madeRootMetadata) rmSync('/.fscrypt', { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  // The linux profile's paths (LINUX_PATHS) with /var in the test's folder.
  const roots = userDataRootsOf({
    dataPartition: join(varDir, 'lib', 'headset'),
    persistPartition: join(work, 'persist'),
    stateDir: join(varDir, 'lib', 'headset'),
    logDir: join(varDir, 'log', 'headset'),
    crashesDir: join(varDir, 'lib', 'headset', 'crashes'),
    minidumpDir: join(varDir, 'lib', 'headset-ui', 'crashdumps'),
  });
  const volume = new LuksVolume(luksImage, { pbkdf: { type: 'pbkdf2', iterations: 1000 } });
  const enrolled: string[] = [];
  let failMkfsOnce = false;
  const testTools: DataPartitionTools = {
    async open(key) {
      expect(await volume.opensWith(key)).toBe(true);
      return loop;
    },
    close: async () => undefined,
    async enrollTpm(keyFile) {
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect((await runTool('cryptsetup', ['open', '--test-passphrase', `--key-file=${keyFile}`, luksImage])).code).toBe(0);
      enrolled.push(keyFile);
    },
    async makeFileSystem(device) {
      if (failMkfsOnce) {
        failMkfsOnce = false;
        throw new Error('power cut during mkfs');
      }
      execFileSync('mkfs.ext4', ['-q', '-F', '-O', 'encrypt', device]);
    },
    async mount(device, dir) {
      execFileSync('mount', [device, dir]);
      mounted.push(dir);
    },
    async unmount(dir) {
      execFileSync('umount', [dir]);
      mounted.splice(mounted.indexOf(dir), 1);
    },
  };
  const setup = () =>
    new DataPartitionSetup({
      volume,
      tools: testTools,
      roots,
      mountedAt: varDir,
      workDir: join(work, 'run'),
      marker: join(work, 'persist', 'data-partition.json'),
    });
  const bytes = () => {
    execFileSync('sync');
    return readFileSync(mappedImage);
  };

  it('sets the partition up once (a cut before the marker does it all again), keys never on argv, and gives each class folder its fscrypt policy', async () => {
    const argv: string[] = [];
    const stop = observeToolRuns((command, args) => argv.push([command, ...args].join(' ')));
    try {
      // A power cut during the first try: no marker, so the next boot formats again.
      failMkfsOnce = true;
      await expect(setup().firstBoot()).rejects.toThrow(/power cut/);
      expect(await setup().isSetUp()).toBe(false);
      expect(await setup().firstBoot()).toBe('set-up');
      expect(await setup().firstBoot()).toBe('already');
    } finally {
      stop();
    }
    expect(await volume.keyslots()).toEqual([0]);
    // The key file given to the TPM enrollment is gone; no command line carried key bytes.
    expect(enrolled).toHaveLength(2);
    for (const file of enrolled) expect(existsSync(file)).toBe(false);
    expect(readdirSync(join(work, 'run')).filter((name) => name.endsWith('.key'))).toEqual([]);
    expect(argv.some((line) => line.startsWith('cryptsetup luksFormat') && line.includes('--key-file=-'))).toBe(true);
    for (const line of argv) expect(line, line).not.toMatch(/[0-9a-f]{64}|[A-Za-z0-9+/]{80,}/);

    // Every boot: /var mounted, then each class unlocked before the services start.
    execFileSync('mount', [loop, varDir]);
    mounted.push(varDir);
    const classes = encryptedClasses(roots, varDir).map((c) => c.id);
    expect(classes).toEqual(expect.arrayContaining(['apps', 'networks', 'logs', 'profile']));
    expect(classes).not.toContain('calibration');
    const unlocked = await setup().unlockClasses();
    expect(unlocked.every((u) => u.action === 'unlocked')).toBe(true);
    const canary = (id: string) => `CANARY-${id}-${'y'.repeat(12)}`;
    writeFileSync(join(roots.data, 'apps', 'save.bin'), canary('apps').repeat(100));
    writeFileSync(join(roots.data, 'network', 'home.nmconnection'), canary('networks').repeat(100));
    writeFileSync(join(roots.logs, 'headsetd.log'), canary('logs').repeat(100));
    const image = bytes();
    for (const id of ['apps', 'networks', 'logs']) expect(image.includes(canary(id)), id).toBe(false);

    // A wipe of app data destroys its key; the restart evicts it from the kernel (the unmount here).
    expect(await new ClassKeys(roots).destroy('apps')).toBe(true);
    execFileSync('umount', [varDir]);
    mounted.pop();
    execFileSync('mount', [loop, varDir]);
    mounted.push(varDir);
    const next = await setup().unlockClasses();
    expect(next.find((u) => u.classId === 'apps')).toMatchObject({ action: 'made' });
    expect(next.find((u) => u.classId === 'networks')).toMatchObject({ action: 'unlocked' });
    // App data starts empty under a new key; the saved network is read back.
    expect(readdirSync(join(roots.data, 'apps'))).toEqual([]);
    expect(readFileSync(join(roots.data, 'network', 'home.nmconnection'), 'utf8')).toContain(canary('networks'));
    expect(bytes().includes(canary('apps'))).toBe(false);
  }, 120_000);
});
