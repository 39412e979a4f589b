import type { CliIo, Command } from './command.js';

/**
 * A command as the command list knows it: its one-line summary, and its module, imported only when
 * it runs (or shows its --help). Each group's module loads what its commands need (zod, libsodium,
 * zstd, ws, TUF...), which takes longer than Node's own start: `headsetctl --help` loads none of it,
 * and a command loads only its own group's.
 */
interface ListedCommand {
  summary: string;
  load(): Promise<Command>;
}

const keys = () => import('./keysCommands.js');
const bundle = () => import('./bundleCommands.js');
const repo = () => import('./repoCommands.js');
const repoPush = () => import('./repoPushCommand.js');
const device = () => import('./deviceCommands.js');
const backup = () => import('./backupCommands.js');
const sanitization = () => import('./sanitizationCommands.js');
const license = () => import('./licenseCommands.js');
const network = () => import('./networkCommands.js');
const reset = () => import('./resetCommands.js');
const decommission = () => import('./decommissionCommands.js');
const image = () => import('./imageCommands.js');
const dataPartition = () => import('./dataPartitionCommands.js');

/** `headsetctl GROUP COMMAND ...`. */
const COMMANDS: Record<string, Record<string, ListedCommand>> = {
  keys: {
    generate: { summary: 'generate Ed25519 keys for the repository roles and bundle signing', load: async () => (await keys()).keysGenerate },
  },
  bundle: {
    create: { summary: 'build a signed update bundle from raw slot images', load: async () => (await bundle()).bundleCreate },
    delta: { summary: "build a signed delta bundle that rebuilds NEW's images from OLD's", load: async () => (await bundle()).bundleDelta },
    inspect: { summary: 'show what a bundle claims to contain (signature not checked)', load: async () => (await bundle()).bundleInspect },
    verify: { summary: 'verify a bundle: signature by a trusted key, then every payload', load: async () => (await bundle()).bundleVerify },
  },
  repo: {
    init: { summary: 'create a TUF repository signed with the keys of KEYDIR', load: async () => (await repo()).repoInit },
    add: { summary: 'verify a bundle and stage it as a target of the repository', load: async () => (await repo()).repoAdd },
    remove: {
      summary: 'withdraw a published bundle at the next publish (devices stop being offered it and refuse to go back to it)',
      load: async () => (await repo()).repoRemove,
    },
    publish: {
      summary: 'sign the staged targets into new targets, snapshot and timestamp metadata',
      load: async () => (await repo()).repoPublish,
    },
    'rotate-root': {
      summary: 'sign a new root with new keys (old and new root keys), then re-publish',
      load: async () => (await repo()).repoRotateRoot,
    },
    status: { summary: 'show the repository: metadata versions, expiries, targets, staged', load: async () => (await repo()).repoStatus },
    push: {
      summary: 'copy the published repository to a fleet server, which serves it to headsets (password from a file)',
      load: async () => (await repoPush()).repoPush,
    },
  },
  device: {
    status: { summary: 'What a running headset is: identity, software, slots, update state', load: async () => (await device()).deviceStatus },
    update: {
      summary: "Drive the headset's update: check, download, pause, resume, install, rollback",
      load: async () => (await device()).deviceUpdate,
    },
    reboot: { summary: 'Restart the headset', load: async () => (await device()).deviceReboot },
    network: {
      summary: "The headset's networks: status, scan, saved, connect, forget, priority, support, audit (password from a file)",
      load: async () => (await network()).deviceNetwork,
    },
    backup: {
      summary: "List, make, verify and browse the headset's backups (passphrase from a file)",
      load: async () => (await backup()).deviceBackup,
    },
    restore: { summary: 'Put classes back from a backup on the stick, the headset or the cloud', load: async () => (await backup()).deviceRestore },
    wipe: {
      summary: 'Erase a scope of user data (keys first, verified, signed record) or list past wipes',
      load: async () => (await reset()).deviceWipe,
    },
    reset: {
      summary: 'Factory reset: erase everything, keep calibration and identity, restart into setup',
      load: async () => (await reset()).deviceReset,
    },
    decommission: {
      summary: "Retire the headset with the operator's signed authorization: everything and its identity erased, restarts as a new device",
      load: async () => (await decommission()).deviceDecommission,
    },
  },
  license: {
    keygen: {
      summary: "generate the vendor's licence-signing key pair (license.pub goes into the trust folder)",
      load: async () => (await license()).licenseKeygen,
    },
    issue: {
      summary: "sign a licence for one headset with the vendor's licence key (key from a file)",
      load: async () => (await license()).licenseIssue,
    },
    inspect: { summary: 'show what a licence file claims (signature not checked)', load: async () => (await license()).licenseInspect },
  },
  image: {
    'check-root': {
      summary: 'check the read-only image: everything the services write on a writable mount (native/image)',
      load: async () => (await image()).imageCheckRoot,
    },
    'data-setup': {
      summary: 'first boot: the data partition as LUKS2 bound to the TPM, ext4 with a fscrypt policy per user-data class',
      load: async () => (await dataPartition()).imageDataSetup,
    },
    'data-unlock': {
      summary: 'every boot: unlock each user-data class folder with its key (an erased class made anew)',
      load: async () => (await dataPartition()).imageDataUnlock,
    },
  },
  decommission: {
    keygen: {
      summary: "generate the operator's decommissioning key pair (decommission.pub goes into the trust folder)",
      load: async () => (await decommission()).decommissionKeygen,
    },
    authorize: {
      summary: 'sign an authorization to decommission one headset (device id and identity key; key from a file)',
      load: async () => (await decommission()).decommissionAuthorize,
    },
  },
  sanitization: {
    verify: {
      summary: "check a wipe's signed sanitization record (format, device signature)",
      load: async () => (await sanitization()).sanitizationVerify,
    },
  },
};

/** File errors that mean a path given on the command line cannot be used, not a bug. */
const PATH_ERRORS = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'EROFS', 'EEXIST']);

export function usage(): string {
  const lines = ['usage: headsetctl GROUP COMMAND [options]   (headsetctl GROUP COMMAND --help for details)', ''];
  for (const [group, commands] of Object.entries(COMMANDS)) {
    for (const [name, command] of Object.entries(commands)) lines.push(`  ${`${group} ${name}`.padEnd(18)} ${command.summary}`);
  }
  lines.push(
    '',
    'Exit status: 0 on success; 1 on failure, with CODE: message on stderr (codes: docs/errors.md);',
    '2 when the command line is wrong.',
  );
  return lines.join('\n');
}

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Runs one headsetctl command line and returns the exit status; never throws. */
export async function runHeadsetctl(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [group, name, ...rest] = argv;
  if (group === undefined || group === '--help' || group === '-h' || group === 'help') {
    (group === undefined ? io.stderr : io.stdout)(`${usage()}\n`);
    return group === undefined ? 2 : 0;
  }
  const commands = Object.hasOwn(COMMANDS, group) ? COMMANDS[group] : undefined;
  const listed = commands && name !== undefined && Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!commands || !listed) {
    if (commands && (name === '--help' || name === '-h')) {
      io.stdout(`${usage()}\n`);
      return 0;
    }
    io.stderr(`INVALID_INPUT: unknown command '${[group, name].filter(Boolean).join(' ')}'\n\n${usage()}\n`);
    return 2;
  }
  let command: Command | undefined;
  try {
    command = await listed.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(`${command.usage}\n`);
      return 0;
    }
    await command.run(rest, io);
    return 0;
  } catch (error) {
    // Loaded only to report a failure: `--help` and the command list need none of them. Each module
    // is loaded once per process, so these are the classes the command threw.
    const [{ UsageError }, { AppError }, { ApiError }, { FleetRefusal }] = await Promise.all([
      import('./command.js'),
      import('../../src/api/errors.js'),
      import('../../src/api/client.js'),
      import('../operator/fleet/FleetRefusal.js'),
    ]);
    if (error instanceof UsageError) {
      io.stderr(`INVALID_INPUT: ${error.message}\n\n${command?.usage ?? ''}\n`);
      return 2;
    }
    // Raised here (AppError) or by a headsetd we talked to (ApiError): the same catalogue codes.
    if (error instanceof AppError || error instanceof ApiError) {
      io.stderr(`${error.code}: ${error.message}\n`);
      return 1;
    }
    // The fleet server's refusals carry its own catalogue's codes (docs/fleet-errors.md).
    if (error instanceof FleetRefusal) {
      io.stderr(`${error.fleetCode}: ${error.message}${error.details === undefined ? '' : ` ${JSON.stringify(error.details)}`}\n`);
      return 1;
    }
    const errno = (error as NodeJS.ErrnoException).code;
    if (errno && PATH_ERRORS.has(errno)) {
      io.stderr(`INVALID_INPUT: ${(error as Error).message}\n`);
      return 1;
    }
    io.stderr(`INTERNAL: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
