import { parseArgs } from 'node:util';
import type { ApiClient } from '../../src/api/client.js';
import type { BootStatus, UpdateStatus } from '../../src/api/contract.js';
import { type CliIo, type Command, UsageError, formatBytes, parseCommandLine } from './command.js';
import { connectToDevice } from './deviceConnection.js';

const CONNECTION_OPTIONS = {
  socket: { type: 'string' },
  root: { type: 'string' },
  url: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;
const CONNECTION_HELP = `  --socket PATH   headsetd's API socket (default /run/headsetd/headsetd.sock)
  --root DIR      a simulated headset's folder (its socket is DIR/run/headsetd.sock)
  --url URL       the web host's address as headsetd printed it (with #token=…)
  --json          print JSON instead of text`;

async function withDevice<T>(
  args: string[],
  extra: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>,
  run: (client: ApiClient, values: Record<string, string | boolean | undefined>, positionals: string[]) => Promise<T>,
): Promise<T> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({ args, options: { ...CONNECTION_OPTIONS, ...extra }, allowPositionals: true, strict: true }),
  );
  const client = await connectToDevice({
    socket: values.socket as string | undefined,
    root: values.root as string | undefined,
    url: values.url as string | undefined,
  });
  try {
    return await run(client, values as Record<string, string | boolean | undefined>, positionals);
  } finally {
    client.close();
  }
}

export const deviceStatus: Command = {
  usage: `usage: headsetctl device status [--socket PATH | --root DIR | --url URL] [--json]\n\n${CONNECTION_HELP}`,
  run: (args, io) =>
    withDevice(args, {}, async (client, values) => {
      const [info, identity, boot, update] = await Promise.all([
        client.call('system.info'),
        client.call('identity.get'),
        client.call('boot.status'),
        client.call('update.status'),
      ]);
      if (values.json) return io.stdout(`${JSON.stringify({ info, identity, boot, update }, null, 2)}\n`);
      io.stdout(
        [
          `device     ${identity.deviceId} (${info.model}, ${info.deviceProfile})`,
          `software   ${info.product} ${info.appVersion} (${info.commit.slice(0, 12)})`,
          ...(info.components
            ? [
                `components ${
                  Object.entries(info.components)
                    .map(([name, version]) => `${name} ${version}`)
                    .join(', ') || 'none listed'
                }`,
              ]
            : []),
          ...boot.slots.map(
            (s) =>
              `slot ${s.name}     ${s.version ?? 'empty'}${s.active ? '  running' : ''}${s.bootable ? `  bootable, ${s.triesLeft} tries` : '  not bootable'}`,
          ),
          `boot       #${boot.bootCount}, order ${boot.order.join(' ')}${boot.fellBack ? ', fell back' : ''}`,
          `update     ${describeUpdate(update)}`,
          '',
        ].join('\n'),
      );
    }),
};

const UPDATE_ACTIONS = ['check', 'download', 'pause', 'resume', 'install', 'rollback'] as const;

export const deviceUpdate: Command = {
  usage: `usage: headsetctl device update check|download|pause|resume|install|rollback [--wait] [--socket PATH | --root DIR | --url URL] [--json]

  --wait          download: wait until the bundle is downloaded and verified, showing progress
${CONNECTION_HELP}`,
  run: (args, io) =>
    withDevice(args, { wait: { type: 'boolean', default: false } }, async (client, values, positionals) => {
      const action = positionals[0];
      if (!action || !(UPDATE_ACTIONS as readonly string[]).includes(action) || positionals.length > 1)
        throw new UsageError(`choose one of ${UPDATE_ACTIONS.join(', ')}`);
      if (action === 'rollback') {
        await client.call('update.rollback');
        return print(io, values.json, { restarting: true }, 'rolling back: the headset restarts into the other slot');
      }
      let status: UpdateStatus;
      if (action === 'check') status = await client.call('update.check');
      else if (action === 'download') status = await client.call('update.download');
      else if (action === 'pause') status = await client.call('update.pause');
      else if (action === 'resume') status = await client.call('update.resume');
      else status = await client.call('update.install');
      if (action === 'download' && values.wait) status = await waitForDownload(client, io, Boolean(values.json));
      print(io, values.json, status, describeUpdate(status));
    }),
};

export const deviceReboot: Command = {
  usage: `usage: headsetctl device reboot [--wait] [--socket PATH | --root DIR | --url URL] [--json]

  --wait          wait until the headset has booted again and answers, then say which system runs
${CONNECTION_HELP}`,
  run: (args, io) =>
    withDevice(args, { wait: { type: 'boolean', default: false } }, async (client, values) => {
      const before = await client.call('boot.status');
      // Into the installed update when one waits for its trial, else a plain restart.
      const update = await client.call('update.status');
      if (update.state.status === 'ready-to-reboot') await client.call('update.restart');
      else await client.call('system.restart');
      if (!values.wait) return print(io, values.json, { restarting: true }, 'restarting');
      const boot = await waitForNextBoot(values, before.bootId);
      const running = boot.slots.find((slot) => slot.name === boot.activeSlot);
      print(io, values.json, boot, `booted slot ${boot.activeSlot}: ${running?.version ?? 'unknown version'} (boot #${boot.bootCount})`);
    }),
};

/** How often --wait asks, and how long one try may take (a headset powering up may not answer). */
const BOOT_POLL_MS = 250;
const BOOT_TRY_TIMEOUT_MS = 5_000;

/**
 * Asks over a new connection each time until the headset reports another boot than `bootId`: a
 * real headset's socket goes away with its restart; the simulated one keeps it. Waits as long as
 * it takes, like `download --wait` (Ctrl-C stops waiting).
 */
async function waitForNextBoot(values: Record<string, string | boolean | undefined>, bootId: string): Promise<BootStatus> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, BOOT_POLL_MS));
    const boot = await askBoot(values).catch(() => undefined);
    if (boot && boot.bootId !== bootId) return boot;
  }
}

async function askBoot(values: Record<string, string | boolean | undefined>): Promise<BootStatus> {
  const client = await connectToDevice({
    socket: values.socket as string | undefined,
    root: values.root as string | undefined,
    url: values.url as string | undefined,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer')), BOOT_TRY_TIMEOUT_MS);
    });
    return await Promise.race([client.call('boot.status'), timeout]);
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

function waitForDownload(client: ApiClient, io: CliIo, json: boolean): Promise<UpdateStatus> {
  return new Promise((resolve) => {
    const stop = client.subscribe('update.changed', (status) => {
      const state = status.state;
      if (state.status === 'downloading' && !json) io.stderr(`\r${describeUpdate(status)}   `);
      if (state.status !== 'downloading' && state.status !== 'available') {
        stop();
        if (!json) io.stderr('\n');
        resolve(status);
      }
    });
  });
}

function print(io: CliIo, json: boolean | string | undefined, value: unknown, text: string): void {
  io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

export function describeUpdate(status: UpdateStatus): string {
  const state = status.state;
  switch (state.status) {
    case 'unconfigured':
      return 'no update repository configured';
    case 'idle':
      return `idle, running ${status.current.version}${status.lastCheck ? `, last check ${status.lastCheck}` : ''}`;
    case 'checking':
      return 'checking…';
    case 'up-to-date':
      return `up to date (${status.current.version})`;
    case 'available':
      return `${state.offer.version} available (${state.offer.kind}, ${formatBytes(state.offer.downloadBytes)})`;
    case 'downloading': {
      const percent = state.total ? Math.floor((state.bytes / state.total) * 100) : 0;
      const why = state.paused ? ', paused' : state.waitingFor ? `, waiting for ${state.waitingFor}` : '';
      return `downloading ${state.offer.version}: ${formatBytes(state.bytes)} of ${formatBytes(state.total)} (${percent} %)${why}`;
    }
    case 'downloaded':
      return `${state.offer.version} downloaded and verified: ready to install`;
    case 'installing':
      return `installing ${state.offer.version}: ${formatBytes(state.bytes)} of ${formatBytes(state.total)}`;
    case 'ready-to-reboot':
      return `${state.version} installed: restart to try it (headsetctl device reboot)`;
    case 'failed':
      return `failed: ${state.error.code}: ${state.error.message}`;
  }
}
