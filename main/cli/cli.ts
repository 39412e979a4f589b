import { ApiError } from '../../src/api/client.js';
import { AppError } from '../../src/api/errors.js';
import { bundleCreate, bundleDelta, bundleInspect, bundleVerify } from './bundleCommands.js';
import { type CliIo, type Command, UsageError } from './command.js';
import { deviceReboot, deviceStatus, deviceUpdate } from './deviceCommands.js';
import { keysGenerate } from './keysCommands.js';
import { repoAdd, repoInit, repoPublish, repoRemove, repoRotateRoot, repoStatus } from './repoCommands.js';

/** `headsetctl GROUP COMMAND ...`. */
const COMMANDS: Record<string, Record<string, Command>> = {
  keys: { generate: keysGenerate },
  bundle: { create: bundleCreate, delta: bundleDelta, inspect: bundleInspect, verify: bundleVerify },
  repo: { init: repoInit, add: repoAdd, remove: repoRemove, publish: repoPublish, 'rotate-root': repoRotateRoot, status: repoStatus },
  device: { status: deviceStatus, update: deviceUpdate, reboot: deviceReboot },
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
  const commands = COMMANDS[group];
  const command = commands && name !== undefined ? commands[name] : undefined;
  if (!commands || !command || !Object.hasOwn(commands, name!)) {
    if (commands && (name === '--help' || name === '-h')) {
      io.stdout(`${usage()}\n`);
      return 0;
    }
    io.stderr(`INVALID_INPUT: unknown command '${[group, name].filter(Boolean).join(' ')}'\n\n${usage()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    await command.run(rest, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`INVALID_INPUT: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    // Raised here (AppError) or by a headsetd we talked to (ApiError): the same catalogue codes.
    if (error instanceof AppError || error instanceof ApiError) {
      io.stderr(`${error.code}: ${error.message}\n`);
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
