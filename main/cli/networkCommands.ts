import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { ApiClient } from '../../src/api/client.js';
import { JOINABLE_SECURITIES, type NetworkOverview, type SavedNetwork } from '../../src/api/contract/network.js';
import { type Command, UsageError, parseCommandLine } from './command.js';
import { connectToDevice } from './deviceConnection.js';

const ACTIONS = ['status', 'scan', 'saved', 'connect', 'forget', 'priority', 'support', 'audit'] as const;

/** The first line of a file (/dev/stdin to pipe it in): secrets never come on headsetctl's own command line. */
async function firstLineOf(path: string): Promise<string> {
  return (await readFile(path, 'utf8')).split(/\r?\n/)[0] ?? '';
}

export const deviceNetwork: Command = {
  usage: `usage: headsetctl device network ACTION [options] [--socket PATH | --root DIR | --url URL] [--json]

  status                       online state, latch mode, Wi-Fi, Ethernet, hotspot
  scan [--rescan]              networks in reach
  saved                        saved networks, highest priority first
  connect SSID [--password-file PATH] [--hidden --security open|wpa2-personal|wpa3-personal] [--support] [--priority N]
  forget ID | priority ID N | support ID on|off
  audit [--limit N]            network changes, newest first

  --password-file PATH  the Wi-Fi password (first line; /dev/stdin to pipe it in), never on the command line
  --pin-file PATH       the headset's PIN when one is set (changes need the headset unlocked)
  Changes are audited as made by the CLI.`,
  run: async (args, io) => {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          socket: { type: 'string' },
          root: { type: 'string' },
          url: { type: 'string' },
          json: { type: 'boolean', default: false },
          rescan: { type: 'boolean', default: false },
          'password-file': { type: 'string' },
          'pin-file': { type: 'string' },
          hidden: { type: 'boolean', default: false },
          security: { type: 'string' },
          support: { type: 'boolean', default: false },
          priority: { type: 'string' },
          limit: { type: 'string' },
        },
      }),
    );
    const [action, ...rest] = positionals;
    if (!action || !(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`choose one of ${ACTIONS.join(', ')}`);
    if (values.security !== undefined && !(JOINABLE_SECURITIES as readonly string[]).includes(values.security)) {
      throw new UsageError(`--security is one of ${JOINABLE_SECURITIES.join(', ')}`);
    }
    const integer = (text: string | undefined, what: string) => {
      if (text === undefined || !/^-?\d+$/.test(text)) throw new UsageError(`${what} is a whole number`);
      return Number(text);
    };
    const client = await connectToDevice({ socket: values.socket, root: values.root, url: values.url });
    const print = (value: unknown, text: string) => io.stdout(values.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
    try {
      if (values['pin-file']) await client.call('lock.unlock', { pin: await firstLineOf(values['pin-file']) });
      switch (action) {
        case 'status': {
          const overview = await client.call('network.overview');
          return print(overview, describeOverview(overview));
        }
        case 'scan': {
          const scan = await client.call('network.scan', { rescan: values.rescan });
          return print(
            scan,
            scan.networks
              .map(
                (n) =>
                  `${'▂▄▆█'.slice(0, n.bars).padEnd(4)} ${String(n.signal).padStart(3)}  ${n.security.padEnd(13)} ${n.connected ? '*' : n.saved ? 's' : ' '} ${n.ssid}`,
              )
              .join('\n') || 'no network in reach',
          );
        }
        case 'saved':
          return printSaved(print, await client.call('network.saved'));
        case 'connect': {
          const ssid = rest[0];
          if (!ssid || rest.length > 1) throw new UsageError('connect takes one SSID');
          const password = values['password-file'] ? await firstLineOf(values['password-file']) : undefined;
          const overview = await client.call('network.connect', {
            ssid,
            password,
            hidden: values.hidden,
            security: values.security as (typeof JOINABLE_SECURITIES)[number] | undefined,
            support: values.support,
            priority: values.priority === undefined ? undefined : integer(values.priority, '--priority'),
            via: 'cli',
          });
          return print(overview, describeOverview(overview));
        }
        case 'forget':
          if (rest.length !== 1) throw new UsageError('forget takes one ID (see saved)');
          return printSaved(print, await client.call('network.forget', { id: rest[0]!, via: 'cli' }));
        case 'priority':
          if (rest.length !== 2) throw new UsageError('priority takes an ID and a number');
          return printSaved(
            print,
            await client.call('network.setPriority', { id: rest[0]!, priority: integer(rest[1], 'the priority'), via: 'cli' }),
          );
        case 'support':
          if (rest.length !== 2 || !['on', 'off'].includes(rest[1]!)) throw new UsageError('support takes an ID and on or off');
          return printSaved(print, await client.call('network.setSupport', { id: rest[0]!, support: rest[1] === 'on', via: 'cli' }));
        case 'audit': {
          const audit = await client.call('network.audit', { limit: values.limit === undefined ? 100 : integer(values.limit, '--limit') });
          return print(
            audit,
            audit.entries
              .map((e) => `${e.time}  ${e.who.padEnd(7)} ${e.action} ${e.ssid ?? ''} ${e.detail} ${e.result}${e.code ? ` (${e.code})` : ''}`)
              .join('\n') || 'no network change yet',
          );
        }
      }
    } finally {
      (client as ApiClient).close();
    }
  },
};

function printSaved(print: (value: unknown, text: string) => void, saved: SavedNetwork[]): void {
  print(
    saved,
    saved
      .map(
        (n) =>
          `${n.id}  ${String(n.priority).padStart(4)}${n.support ? ' support' : ''}${n.hidden ? ' hidden' : ''}${n.connected ? ' connected' : ''}  ${n.ssid}`,
      )
      .join('\n') || 'no saved network',
  );
}

export function describeOverview(o: NetworkOverview): string {
  return [
    `state     ${o.status.state} since ${o.status.since}`,
    `mode      ${o.mode}${o.hotspot ? ` (hotspot ${o.hotspot.ssid}, ${o.hotspot.active ? 'up' : 'down'})` : ''}`,
    `wi-fi     ${o.wifi ? `${o.wifi.ssid} (${o.wifi.signal} %)${o.wifi.support ? ', support' : ''}` : o.connecting ? `joining ${o.connecting}` : 'none'}`,
    `ethernet  ${!o.ethernet.present ? 'none' : o.ethernet.connected ? `connected ${o.ethernet.address ?? ''}` : o.ethernet.carrier ? 'cable in, no address' : 'no cable'}`,
  ].join('\n');
}
