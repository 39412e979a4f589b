import { parseArgs } from 'node:util';
import { KEY_ROLES } from '../../src/update/keys.js';
import { generateKeys } from '../operator/keys/signingKeys.js';
import { type Command, UsageError, parseCommandLine } from './command.js';

export const keysGenerate: Command = {
  usage: `usage: headsetctl keys generate --out DIR

Generates one Ed25519 key pair per role: ${KEY_ROLES.join(', ')}. Writes DIR/ROLE.key (private, mode
0600) and DIR/ROLE.pub (public) for each; DIR is created (mode 0700) if missing. Refuses, writing
nothing, when any of these files exists (KEY_EXISTS): keys are never overwritten. Prints each key id
(the SHA-256 of the public key object, as TUF computes it).`,
  async run(args, io) {
    const { values } = parseCommandLine(() => parseArgs({ args, options: { out: { type: 'string' } }, strict: true }));
    if (!values.out) throw new UsageError('--out DIR is required');
    const keys = await generateKeys(values.out);
    io.stdout(`Generated ${keys.length} key pairs in ${values.out}:\n`);
    for (const key of keys) io.stdout(`  ${key.role.padEnd(10)} ${key.keyId}  ${key.privateKeyPath} (private), ${key.publicKeyPath}\n`);
    io.stdout('Keep the .key files offline; only the root and bundle .pub files go into device images.\n');
  },
};
