import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { ApiClient } from '../../src/api/client.js';
import { BACKUP_DESTINATIONS, type BackupDestinationKind, type BackupOverview } from '../../src/api/contract.js';
import { type CliIo, type Command, UsageError, formatBytes, parseCommandLine } from './command.js';
import { connectToDevice } from './deviceConnection.js';

const OPTIONS = {
  socket: { type: 'string' },
  root: { type: 'string' },
  url: { type: 'string' },
  json: { type: 'boolean', default: false },
  'passphrase-file': { type: 'string' },
  'pin-file': { type: 'string' },
  classes: { type: 'string' },
  backup: { type: 'string' },
} as const;

const COMMON_HELP = `  --passphrase-file PATH  where the backup passphrase is (its first line; /dev/stdin to pipe it in).
                          Never on the command line: other users can read a process's arguments.
  --pin-file PATH         the headset's PIN, when one is set (first line)
  --classes a,b           the classes (ids as 'list' shows them); default: those backed up by default
  --socket PATH | --root DIR | --url URL   which headset (as for 'device status')
  --json                  print JSON instead of text`;

async function firstLine(path: string): Promise<string> {
  return (await readFile(path, 'utf8')).split(/\r?\n/)[0] ?? '';
}

async function withBackup(
  args: string[],
  run: (client: ApiClient, values: Record<string, string | boolean | undefined>, positionals: string[]) => Promise<void>,
): Promise<void> {
  const { values, positionals } = parseCommandLine(() => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }));
  const client = await connectToDevice({ socket: values.socket, root: values.root, url: values.url });
  try {
    if (values['pin-file']) await client.call('lock.unlock', { pin: await firstLine(values['pin-file']) });
    await run(client, values, positionals);
  } finally {
    client.close();
  }
}

function place(value: string | undefined): BackupDestinationKind {
  if (!value || !(BACKUP_DESTINATIONS as readonly string[]).includes(value))
    throw new UsageError(`choose a place: ${BACKUP_DESTINATIONS.join(', ')}`);
  return value as BackupDestinationKind;
}

async function passphraseOf(values: Record<string, string | boolean | undefined>): Promise<string> {
  const file = values['passphrase-file'];
  if (typeof file !== 'string') throw new UsageError('--passphrase-file is required');
  return firstLine(file);
}

const classesOf = (values: Record<string, string | boolean | undefined>) =>
  typeof values.classes === 'string'
    ? values.classes
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean)
    : undefined;

/** Prints progress lines as backup.changed reports them (one per phase and per tenth). */
function followProgress(client: ApiClient, io: CliIo, quiet: boolean): () => void {
  let last = '';
  return client.subscribe('backup.changed', (overview: BackupOverview) => {
    const activity = overview.activity;
    if (quiet || activity.state === 'idle') return;
    const line = `${activity.state} ${activity.destination}: ${activity.phase} ${Math.floor(activity.fraction * 10) * 10} %`;
    if (line !== last) io.stderr(`${line}\n`);
    last = line;
  });
}

export const deviceBackup: Command = {
  usage: `usage: headsetctl device backup list|run|verify|browse [PLACE] [options]

  list                    the places, the classes and the backups this headset knows (no passphrase)
  run PLACE               back up now to usb, local or cloud, then verify (progress on stderr)
  verify PLACE            read the newest backup there back in full, restore a sample and compare
                          (without --passphrase-file: with the headset's own verification key)
  browse PLACE            the backups there, from any headset, and whether this one may restore each
  --backup ID             verify: which backup
${COMMON_HELP}`,
  run: (args, io) =>
    withBackup(args, async (client, values, positionals) => {
      const [action, where, ...rest] = positionals;
      if (rest.length > 0) throw new UsageError('too many arguments');
      const json = Boolean(values.json);
      if (action === 'list') {
        const overview = await client.call('backup.status');
        if (json) return io.stdout(`${JSON.stringify(overview, null, 2)}\n`);
        const lines = [
          `places   ${overview.destinations.map((d) => `${d.kind}${d.present ? '' : ' (absent)'}`).join(', ')}`,
          `classes  ${overview.classes.map((c) => `${c.id}${c.backedUpByDefault ? '*' : ''}`).join(', ')}   (* by default)`,
          ...overview.backups.map(
            (b) =>
              `${b.id.slice(0, 8)}  ${b.time}  ${b.destination.padEnd(5)}  ${formatBytes(b.bytes)}  ${b.verified ? `${b.verified.result} ${b.verified.at}` : 'not verified'}  [${b.classes.join(', ')}]`,
          ),
        ];
        return io.stdout(`${lines.join('\n')}\n`);
      }
      if (action === 'run') {
        const destination = place(where);
        const passphrase = await passphraseOf(values);
        const stop = followProgress(client, io, json);
        try {
          const record = await client.call('backup.run', { destination, classes: classesOf(values), passphrase });
          return io.stdout(
            json
              ? `${JSON.stringify(record, null, 2)}\n`
              : `backup ${record.id.slice(0, 8)} at ${destination}: ${formatBytes(record.bytes)}, ${record.files} files, ${record.verified?.result ?? 'not verified'}\n`,
          );
        } finally {
          stop();
        }
      }
      if (action === 'verify') {
        const destination = place(where);
        const passphrase = values['passphrase-file'] ? await passphraseOf(values) : undefined;
        const backupId = typeof values.backup === 'string' ? values.backup : undefined;
        const result = await client.call('backup.verify', { destination, backupId, passphrase });
        if (json) return io.stdout(`${JSON.stringify(result, null, 2)}\n`);
        const damaged = result.damagedFiles.length > 0 ? `\n${result.damagedFiles.map((f) => `  ${f}`).join('\n')}` : '';
        return io.stdout(
          `backup ${result.backupId.slice(0, 8)}: ${result.result} (${result.readData} read back, ${result.sampleFiles} files compared)${damaged}\n`,
        );
      }
      if (action === 'browse') {
        const found = await client.call('backup.browse', { destination: place(where), passphrase: await passphraseOf(values) });
        if (json) return io.stdout(`${JSON.stringify(found, null, 2)}\n`);
        return io.stdout(
          `${found.map((b) => `${b.id.slice(0, 8)}  ${b.time}  ${b.model ?? '?'}  schema ${b.schema ?? '?'}  by ${b.madeBy}  [${b.classes.join(', ')}]${b.refused ? `  refused: ${b.refused}` : ''}`).join('\n')}\n`,
        );
      }
      throw new UsageError('choose one of list, run, verify, browse');
    }),
};

export const deviceRestore: Command = {
  usage: `usage: headsetctl device restore PLACE [--backup ID] [--classes a,b] --passphrase-file PATH [options]

  Puts the classes back from a backup at usb, local or cloud (the newest this headset may restore
  when --backup is not given), replacing what the headset holds for them. Progress on stderr.
${COMMON_HELP}`,
  run: (args, io) =>
    withBackup(args, async (client, values, positionals) => {
      if (positionals.length !== 1) throw new UsageError('name one place: usb, local or cloud');
      const destination = place(positionals[0]);
      const passphrase = await passphraseOf(values);
      const stop = followProgress(client, io, Boolean(values.json));
      try {
        const backupId = typeof values.backup === 'string' ? values.backup : undefined;
        const result = await client.call('backup.restore', { destination, backupId, classes: classesOf(values), passphrase });
        io.stdout(
          values.json
            ? `${JSON.stringify(result, null, 2)}\n`
            : `restored ${result.classes.join(', ')} from ${result.backupId.slice(0, 8)}: ${result.files} files, ${formatBytes(result.bytes)}\n`,
        );
      } finally {
        stop();
      }
    }),
};
