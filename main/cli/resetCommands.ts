import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ApiError, type ApiClient } from '../../src/api/client.js';
import { AppError } from '../../src/api/errors.js';
import { WEARER_WIPE_SCOPES, type ResetState } from '../../src/api/contract/reset.js';
import { type CliIo, type Command, UsageError, parseCommandLine } from './command.js';
import { connectToDevice } from './deviceConnection.js';

const OPTIONS = {
  socket: { type: 'string' },
  root: { type: 'string' },
  url: { type: 'string' },
  json: { type: 'boolean', default: false },
  'pin-file': { type: 'string' },
  yes: { type: 'boolean', default: false },
  passes: { type: 'string' },
} as const;

const COMMON_HELP = `  --yes                   the explicit confirmation: without it the plan is printed, nothing is erased
                          and the exit status is 1 (RESET_CONFIRMATION_REQUIRED)
  --pin-file PATH         the headset's PIN, when one is set (first line; never on the command line)
  --passes N              overwrite passes over files not encrypted (1 to 3; more than 1 only on magnetic media)
  --socket PATH | --root DIR | --url URL   which headset (as for 'device status')
  --json                  print JSON instead of text`;

type Values = Record<string, string | boolean | undefined>;
type WearerScope = (typeof WEARER_WIPE_SCOPES)[number];

async function firstLine(path: string): Promise<string> {
  return (await readFile(path, 'utf8')).split(/\r?\n/)[0] ?? '';
}

function passesOf(values: Values): number | undefined {
  if (values.passes === undefined) return undefined;
  const passes = Number(values.passes);
  if (!Number.isInteger(passes) || passes < 1 || passes > 3) throw new UsageError('--passes is 1, 2 or 3');
  return passes;
}

/**
 * Wipes a scope: without --yes prints what it erases and keeps (reset.plan); with it, unlocks with
 * the PIN file when given, calls reset.wipe, follows reset.changed on stderr and returns once the
 * headset is restarting (its connection then drops) or the wipe failed.
 */
async function wipe(scope: WearerScope, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseCommandLine(() => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }));
  if (positionals.length > 0) throw new UsageError('too many arguments');
  const overwritePasses = passesOf(values);
  const pin = typeof values['pin-file'] === 'string' ? await firstLine(values['pin-file']) : undefined;
  const client = await connectToDevice({ socket: values.socket, root: values.root, url: values.url });
  try {
    const plan = await client.call('reset.plan', { scope });
    if (!values.yes) {
      if (values.json) io.stdout(`${JSON.stringify(plan, null, 2)}\n`);
      else
        io.stdout(
          `erases  ${plan.erases.map((c) => c.id).join(', ')}\nkeeps   ${plan.keeps.map((c) => c.id).join(', ')}\n` +
            `${plan.setupAfter ? 'the headset then restarts into the setup wizard' : 'the headset then restarts'}${plan.pinRequired ? '; a PIN is set: give --pin-file' : ''}\n` +
            'nothing erased: add --yes to erase\n',
        );
      throw new AppError('RESET_CONFIRMATION_REQUIRED');
    }
    if (pin !== undefined) await client.call('lock.unlock', { pin });
    const ended = followUntilRestart(client, io, Boolean(values.json));
    ended.catch(() => undefined); // awaited below once the wipe is accepted; a refused wipe leaves it unsettled
    await client.call('reset.wipe', { scope, confirm: true, pin, overwritePasses });
    const last = await ended;
    // A step that failed is journaled: the headset runs it again at its next start.
    if (last.status === 'failed') throw new Error(`the wipe stopped at ${last.phase}: ${last.message}; the headset finishes it at its next start`);
    io.stdout(
      values.json
        ? `${JSON.stringify(last, null, 2)}\n`
        : `${scope}: erased, checked and recorded; the headset is restarting${plan.setupAfter ? ' into the setup wizard' : ''} ('device wipe list' then shows the record)\n`,
    );
  } finally {
    client.close();
  }
}

/** Prints each phase on stderr; resolves at `restarting` (or the connection dropping after it) or `failed`. */
export function followUntilRestart(client: ApiClient, io: CliIo, quiet: boolean): Promise<ResetState> {
  return new Promise((resolve, reject) => {
    let last: ResetState | undefined;
    const stopClose = client.onClose(() =>
      last?.status === 'wiping' && last.phase === 'restarting'
        ? resolve(last)
        : reject(
            new ApiError(
              'DISCONNECTED',
              'The headset went away before the wipe finished: it finishes it at its next start (headsetctl device wipe list then shows the record).',
            ),
          ),
    );
    const stop = client.subscribe('reset.changed', (state) => {
      if (state.status === 'wiping' && (last?.status !== 'wiping' || last.phase !== state.phase) && !quiet) io.stderr(`${state.phase}\n`);
      last = state;
      if (state.status === 'failed' || (state.status === 'wiping' && state.phase === 'restarting')) {
        stop();
        stopClose();
        resolve(state);
      }
    });
  });
}

function scopeOf(value: string | undefined): WearerScope {
  if (!value || !(WEARER_WIPE_SCOPES as readonly string[]).includes(value))
    throw new UsageError(`choose what to erase: ${WEARER_WIPE_SCOPES.join(', ')} (or 'list' for the records)`);
  return value as WearerScope;
}

async function listRecords(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseCommandLine(() => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }));
  if (positionals.length > 0) throw new UsageError('too many arguments');
  const client = await connectToDevice({ socket: values.socket, root: values.root, url: values.url });
  try {
    const records = await client.call('reset.records');
    if (values.json) return io.stdout(`${JSON.stringify(records, null, 2)}\n`);
    if (records.length === 0) return io.stdout('no wipe recorded on this headset\n');
    io.stdout(
      `${records.map(({ record }) => `${record.id}  ${record.finishedAt}  ${record.scopes.join(',').padEnd(10)}  ${record.verification}`).join('\n')}\n`,
    );
  } finally {
    client.close();
  }
}

export const deviceWipe: Command = {
  usage: `usage: headsetctl device wipe SCOPE|list [--yes] [options]

  SCOPE                   ${WEARER_WIPE_SCOPES.join(', ')}: keys destroyed first, files erased, checked,
                          a signed sanitization record; the headset then restarts (phases on stderr)
  list                    the sanitization records of past wipes, newest first
${COMMON_HELP}`,
  run: async (args, io) => {
    const [first, ...rest] = args;
    if (first === 'list') return listRecords(rest, io);
    return wipe(scopeOf(first?.startsWith('-') ? undefined : first), rest, io);
  },
};

export const deviceReset: Command = {
  usage: `usage: headsetctl device reset [--yes] [options]

  The factory reset: erases everything the wearer left on the headset (as 'device wipe everything'),
  keeps calibration and the device identity, and restarts into the setup wizard.
${COMMON_HELP}`,
  run: (args, io) => wipe('everything', args, io),
};
