import { AppError } from '../../src/api/errors.js';
import type { AvailableSystem, SystemInstallPort } from '../../src/recovery/ports.js';
import { RecoveryInstalls } from '../../src/recovery/RecoveryInstalls.js';

/**
 * The fake device's recovery installs: the real RecoveryInstalls (src/recovery/) over an installer
 * in memory. `repository` is what the update server offers (undefined: none configured), `stick`
 * the files on the USB stick (undefined: no stick), `refuse` a bundle file name the verifier
 * rejects with its code (a tampered or older bundle), `installed` what was written where.
 */
export function createFakeRecovery() {
  const world = {
    repository: [] as AvailableSystem[] | undefined,
    stick: [] as string[] | undefined,
    refuse: new Map<string, 'BUNDLE_BAD_SIGNATURE' | 'UPDATE_NOT_NEWER'>(),
    installed: [] as Array<{ bundle: string; slot: 'A' | 'B' }>,
    logged: [] as string[],
  };
  const system: SystemInstallPort = {
    targetSlot: () => 'B',
    async newestFullSystem() {
      if (!world.repository) throw new AppError('UPDATE_NOT_CONFIGURED', 'No update repository is configured on this headset.');
      return world.repository.at(-1);
    },
    async download(found, _signal, onProgress) {
      onProgress(found.bytes, found.bytes);
      return `downloads/${found.version}.hcb`;
    },
    async install(bundle, onProgress) {
      const refused = world.refuse.get(bundle.replace(/^staged\//, ''));
      if (refused) throw new AppError(refused, `The fake verifier refused ${bundle}.`);
      onProgress(1, 1);
      world.installed.push({ bundle, slot: 'B' });
      return { version: /([0-9][0-9.]*[0-9])/.exec(bundle)?.[1] ?? '9.9.9', slot: 'B' as const };
    },
    stage: async (file) => `staged/${file}`,
    discard: async () => undefined,
  };
  const installs = new RecoveryInstalls({
    system,
    stick: { bundles: async () => world.stick?.map((name) => ({ name, path: name })) },
    log: { info: (message) => world.logged.push(message), error: (message) => world.logged.push(message) },
  });
  return {
    world,
    installs,
    handlers: {
      'recovery.installStatus': () => installs.current(),
      'recovery.installFromNetwork': () => installs.fromNetwork(),
      'recovery.installFromUsb': () => installs.fromUsb(),
    },
  };
}
