import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FleetOperatorSession } from '../operator/fleet/FleetOperatorSession.js';
import { pushRepository } from '../operator/fleet/repositoryPush.js';
import { type Command, UsageError, parseCommandLine } from './command.js';

export const repoPush: Command = {
  usage: `usage: headsetctl repo push DIR --fleet URL --user NAME --password-file FILE

Copies the TUF repository DIR (as 'headsetctl repo publish' left it: DIR/repository/) to a fleet
server, which then serves it to headsets at URL/updates (their --update-url). Logs in as NAME (an
admin; the password is read from FILE, never from the command line), uploads the files the server
lacks (targets first, then roots, targets and snapshot metadata by version) and publishes the
timestamp last: the server checks that everything it reaches is there before headsets see any of it.
An interrupted push changes nothing headsets see; pushing again uploads what is missing. The server
signs nothing: the repository's keys stay with you. Refusals carry the fleet server's codes
(docs/fleet-errors.md), e.g. UPDATE_PUBLICATION_STALE when nothing new was published.`,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({
        args,
        options: { fleet: { type: 'string' }, user: { type: 'string' }, 'password-file': { type: 'string' } },
        allowPositionals: true,
        strict: true,
      }),
    );
    if (positionals.length !== 1) throw new UsageError('DIR is required');
    if (!values.fleet || !values.user || !values['password-file'])
      throw new UsageError('--fleet URL, --user NAME and --password-file FILE are required');
    let url: URL;
    try {
      url = new URL(values.fleet);
    } catch {
      throw new UsageError(`--fleet takes the server's URL, not '${values.fleet}'`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)))
      throw new UsageError('--fleet must be https:// (http:// only on this machine): the password and session travel with it');
    const password = (await readFile(values['password-file'], 'utf8')).replace(/\r?\n$/, '');
    const served = join(positionals[0]!, 'repository');
    const session = await FleetOperatorSession.logIn(url.href, values.user, password);
    try {
      const report = await pushRepository(served, session.uploader());
      const published = report.published as { timestampVersion: number; releases: { model: string; version: string }[] };
      io.stdout(`Uploaded ${report.uploaded.length} file(s), ${report.alreadyThere} already on the server.\n`);
      io.stdout(
        `Published timestamp v${published.timestampVersion}: ${published.releases.map((r) => `${r.model} ${r.version}`).join(', ') || 'no full release'}.\n`,
      );
      io.stdout(`Headsets follow ${url.href.replace(/\/+$/, '')}/updates\n`);
    } finally {
      await session.logOut();
    }
  },
};
