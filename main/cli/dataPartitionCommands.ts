import { parseArgs } from 'node:util';
import { type Command, UsageError, parseCommandLine } from './command.js';

const OPTIONS = {
  device: { type: 'string' },
  marker: { type: 'string' },
  work: { type: 'string' },
} as const;

const DEFAULTS = { device: '/dev/disk/by-partlabel/data', marker: '/persist/data-partition.json', work: '/run/headset-data-setup' };

async function setupOf(values: { device?: string; marker?: string; work?: string }) {
  const { LuksVolume } = await import('../services/userData/LinuxDataEncryption.js');
  const { DataPartitionSetup, linuxDataPartitionTools } = await import('../services/userData/DataPartitionSetup.js');
  const { userDataRootsOf } = await import('../services/userData/userDataClasses.js');
  const { LINUX_PATHS } = await import('../host/profiles/linuxProfile.js');
  const volume = new LuksVolume(values.device ?? DEFAULTS.device);
  return new DataPartitionSetup({
    volume,
    tools: linuxDataPartitionTools(volume),
    roots: userDataRootsOf(LINUX_PATHS),
    mountedAt: '/var',
    workDir: values.work ?? DEFAULTS.work,
    marker: values.marker ?? DEFAULTS.marker,
  });
}

export const imageDataSetup: Command = {
  usage: `usage: headsetctl image data-setup [--device DEV] [--marker FILE] [--work DIR]

First boot of a linux headset (native/image/systemd/headset-data-setup.service, before crypttab
opens the partition): formats DEV (default ${DEFAULTS.device}) as LUKS2 with a random key on stdin,
binds it to the TPM (systemd-cryptenroll, the key in a 0600 file in DIR, default ${DEFAULTS.work},
removed after), opens it, makes ext4 with the encrypt feature, and gives each user-data class folder
its own fscrypt policy under its class key. Writes FILE (default ${DEFAULTS.marker}) when done; with
FILE present it does nothing. Needs root, device-mapper and a TPM.`,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(() => parseArgs({ args, allowPositionals: true, strict: true, options: OPTIONS }));
    if (positionals.length > 0) throw new UsageError('no positional arguments');
    const result = await (await setupOf(values)).firstBoot();
    io.stdout(result === 'already' ? 'the data partition is set up already\n' : 'the data partition is set up\n');
  },
};

export const imageDataUnlock: Command = {
  usage: `usage: headsetctl image data-unlock [--marker FILE]

Every boot of a linux headset once /var is mounted, before headsetd and NetworkManager
(native/image/systemd/headset-data-unlock.service): unlocks each user-data class folder with its
class key; a class whose key a wipe destroyed gets its folder back empty under a new policy.`,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(() => parseArgs({ args, allowPositionals: true, strict: true, options: OPTIONS }));
    if (positionals.length > 0) throw new UsageError('no positional arguments');
    for (const entry of await (await setupOf(values)).unlockClasses())
      io.stdout(`${entry.classId.padEnd(18)} ${entry.action === 'made' ? 'made anew (its key was erased)' : 'unlocked'}\n`);
  },
};
