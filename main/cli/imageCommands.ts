import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { assertRootFit } from '../../src/image/rootProblems.js';
import { type Command, UsageError, parseCommandLine } from './command.js';

export const imageCheckRoot: Command = {
  usage: `usage: headsetctl image check-root [--native DIR] [--keep ROOT]

Assembles a root tree from the image configuration in DIR (default: ./native) as the image installs
it, lets systemd's tools read it (systemd-sysusers and systemd-tmpfiles --root, the fstab and
crypttab generators), and checks that every path the services write (the linux device profile's
paths, every user-data class, each unit's writable places, NetworkManager's keyfiles) lies on a
writable mount, and that the folders they need at start are made at boot. Prints the mounts and
exits 1 with IMAGE_ROOT_UNFIT naming each problem. --keep ROOT assembles into ROOT and leaves it.`,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({ args, allowPositionals: true, strict: true, options: { native: { type: 'string' }, keep: { type: 'string' } } }),
    );
    if (positionals.length > 0) throw new UsageError('no positional arguments');
    const { assembleImageRoot, checkImageRoot } = await import('../host/image/readOnlyRoot.js');
    const root = values.keep ? resolve(values.keep) : await mkdtemp(join(tmpdir(), 'headset-image-root-'));
    try {
      await assembleImageRoot(resolve(values.native ?? 'native'), root);
      const check = await checkImageRoot(root);
      for (const mount of check.mounts.toSorted((a, b) => a.where.localeCompare(b.where)))
        io.stdout(`${mount.where.padEnd(10)} ${mount.type.padEnd(9)} ${mount.options.includes('ro') ? 'read-only' : 'writable '}  ${mount.source}\n`);
      io.stdout(`${check.written.length} written paths checked\n`);
      assertRootFit(check.problems);
    } finally {
      if (!values.keep) await rm(root, { recursive: true, force: true });
    }
  },
};
