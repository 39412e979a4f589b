import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SubsystemLogger } from '../logging/Logger.js';
import { userDataRootsOf } from '../userData/userDataClasses.js';
import { profileCapability, wearerProfilePath } from './profileCapability.js';

const quietLog = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as SubsystemLogger;
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('profileCapability', () => {
  it('keeps the profile encrypted under the profile class key, readable again by a new start', async () => {
    const root = await mkdtemp(join(tmpdir(), 'profile-'));
    dirs.push(root);
    const paths = {
      dataPartition: join(root, 'data'),
      persistPartition: join(root, 'persist'),
      stateDir: join(root, 'data', 'headsetd'),
      logDir: join(root, 'data', 'logs'),
      crashesDir: join(root, 'data', 'crashes'),
      minidumpDir: join(root, 'data', 'minidumps'),
    };
    const roots = userDataRootsOf(paths);
    const first = profileCapability({ roots, log: quietLog });
    await first.start?.();
    const set = first.handlers!['profile.set']!;
    await set({ wearerName: 'Ada Lovelace', locale: 'en-GB' }, {} as never);
    const onDisk = await readFile(wearerProfilePath(roots));
    expect(onDisk.toString('latin1')).not.toContain('Ada Lovelace');
    expect((await readdir(join(root, 'data', 'profile'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    const again = profileCapability({ roots, log: quietLog });
    await again.start?.();
    expect(await again.handlers!['profile.get']!({}, {} as never)).toEqual({ wearerName: 'Ada Lovelace', locale: 'en-GB' });
  });
});
