import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AppError } from '../../src/api/errors.js';
import {
  DECOMMISSION_FORMAT,
  DECOMMISSION_MAX_VALID_MS,
  decommissionSigningBytes,
  type DecommissionAuthorization,
  type SignedDecommissionAuthorization,
} from '../../src/reset/decommissionAuthorization.js';
import { generateKeys, loadSigningKey } from '../operator/keys/signingKeys.js';
import { type Command, UsageError, parseCommandLine } from './command.js';
import { connectToDevice } from './deviceConnection.js';
import { followUntilRestart } from './resetCommands.js';

// Decommissioning (docs/reset.md): the operator's key signs an authorization for one headset; the
// headset checks it against decommission.pub in its trust folder. No wearer screen offers it.

export const decommissionKeygen: Command = {
  usage: `usage: headsetctl decommission keygen --out DIR

Generates the operator's decommissioning Ed25519 key pair: DIR/decommission.key (private, mode
0600, keep offline) and DIR/decommission.pub, which goes into the headset image's trust folder.
Never overwrites (KEY_EXISTS).`,
  async run(args, io) {
    const { values } = parseCommandLine(() => parseArgs({ args, options: { out: { type: 'string' } }, strict: true }));
    if (!values.out) throw new UsageError('--out DIR is required');
    const [key] = await generateKeys(values.out, ['decommission']);
    io.stdout(
      `Generated the decommissioning key ${key!.keyId}: ${key!.privateKeyPath} (private, keep offline), ${key!.publicKeyPath} (trust folder)\n`,
    );
  },
};

export const decommissionAuthorize: Command = {
  usage: `usage: headsetctl decommission authorize --key FILE --device-id ID --identity-key BASE64
                                     [--hours N] [--reason TEXT] --out FILE

Signs an ${DECOMMISSION_FORMAT} authorization to decommission one headset, named by its device id
and identity public key (both in \`headsetctl device status\` and About), valid from now for N hours
(default 24, at most ${DECOMMISSION_MAX_VALID_MS / 3600_000}). FILE is decommission.key (from the file only, never the command line).
Writes the authorization to --out (refuses to overwrite).`,
  async run(args, io) {
    const { values } = parseCommandLine(() =>
      parseArgs({
        args,
        options: {
          key: { type: 'string' },
          'device-id': { type: 'string' },
          'identity-key': { type: 'string' },
          hours: { type: 'string' },
          reason: { type: 'string' },
          out: { type: 'string' },
        },
        strict: true,
      }),
    );
    if (!values.key || !values['device-id'] || !values['identity-key'] || !values.out)
      throw new UsageError('--key, --device-id, --identity-key and --out are required');
    const hours = values.hours === undefined ? 24 : Number(values.hours);
    if (!Number.isFinite(hours) || hours <= 0 || hours * 3600_000 > DECOMMISSION_MAX_VALID_MS)
      throw new UsageError(`--hours is more than 0 and at most ${DECOMMISSION_MAX_VALID_MS / 3600_000}`);
    const now = new Date();
    const authorization: DecommissionAuthorization = {
      format: DECOMMISSION_FORMAT,
      deviceId: values['device-id'],
      identityKey: values['identity-key'],
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + hours * 3600_000).toISOString(),
      ...(values.reason ? { reason: values.reason } : {}),
    };
    const key = await loadSigningKey(values.key);
    try {
      const signed: SignedDecommissionAuthorization = {
        authorization,
        signature: Buffer.from(key.sign(decommissionSigningBytes(authorization))).toString('base64'),
      };
      await writeFile(values.out, `${JSON.stringify(signed, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    } finally {
      key.dispose();
    }
    io.stdout(`Authorized decommissioning of ${authorization.deviceId} until ${authorization.expiresAt}: ${values.out}\n`);
  },
};

export const deviceDecommission: Command = {
  usage: `usage: headsetctl device decommission --authorization FILE [--yes] [--socket PATH | --root DIR | --url URL] [--json]

Retires the headset: everything erased as for a factory reset, then the device identity (after the
sanitization record is signed with it) and, on a linux headset, the data partition's LUKS keyslots;
it restarts as a new device (a new id and key) into the setup wizard. FILE is the operator's
authorization for this headset ('headsetctl decommission authorize'); the wearer's PIN is not asked
and not enough. Without --yes it prints what goes and exits 1 (RESET_CONFIRMATION_REQUIRED).`,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({
        args,
        options: {
          authorization: { type: 'string' },
          yes: { type: 'boolean', default: false },
          socket: { type: 'string' },
          root: { type: 'string' },
          url: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
        allowPositionals: true,
        strict: true,
      }),
    );
    if (positionals.length > 0) throw new UsageError('too many arguments');
    if (!values.authorization) throw new UsageError('--authorization FILE is required');
    const authorization = await readFile(values.authorization, 'utf8');
    const client = await connectToDevice({ socket: values.socket, root: values.root, url: values.url });
    try {
      if (!values.yes) {
        const identity = await client.call('identity.get');
        io.stdout(
          `decommissioning ${identity.deviceId} erases everything a factory reset erases, then the device identity\n` +
            '(and on a linux headset the data partition itself); the headset restarts as a new device\nnothing erased: add --yes to decommission\n',
        );
        throw new AppError('RESET_CONFIRMATION_REQUIRED');
      }
      const ended = followUntilRestart(client, io, Boolean(values.json));
      ended.catch(() => undefined); // awaited once the call is accepted
      await client.call('reset.decommission', { confirm: true, authorization });
      const last = await ended;
      if (last.status === 'failed')
        throw new Error(`decommissioning stopped at ${last.phase}: ${last.message}; the headset finishes it at its next start`);
      io.stdout(
        values.json
          ? `${JSON.stringify(last, null, 2)}\n`
          : 'decommissioned: erased, checked, recorded and signed with the old identity; the headset is restarting as a new device\n',
      );
    } finally {
      client.close();
    }
  },
};
