import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackupRig, type BackupRig } from '../../test-support/backup/backupRig.js';
import { ClassKeys } from '../services/userData/ClassKeys.js';
import { EncryptedClassFiles } from '../services/userData/EncryptedClassFiles.js';
import { SecureWipe } from '../services/userData/SecureWipe.js';
import { userDataClass, userDataRootsOf } from '../services/userData/userDataClasses.js';
import { backupClassesFromRegistry } from './backupClasses.js';

const PASSPHRASE = 'correct horse battery staple';
let rig: BackupRig | undefined;
afterEach(async () => {
  await rig?.cleanup();
  rig = undefined;
});

/**
 * A running headset holds its class keys in memory (ClassKeys caches them). A restore renames the
 * backed-up key file in (ClassPutBack), and a wipe run by another service destroys one: the running
 * services must read the key file as it is now, or they would decrypt restored files with the
 * erased key, or write new files under a key no file holds any more (lost at the next start).
 */
describe('class keys replaced under running services', () => {
  it(
    'a class erased, written anew, then restored from a backup with its old key: the running reader follows each key change',
    { timeout: 90_000 },
    async () => {
      rig = await createBackupRig();
      const roots = userDataRootsOf({
        dataPartition: rig.dataDir,
        persistPartition: join(rig.root, 'persist'),
        stateDir: join(rig.dataDir, 'headsetd'),
        logDir: join(rig.dataDir, 'logs'),
        crashesDir: join(rig.dataDir, 'crashes'),
        minidumpDir: join(rig.dataDir, 'crash-dumps'),
      });
      await mkdir(roots.state, { recursive: true });
      const save = join(roots.data, 'apps', 'game', 'save.bin');
      // What the running services share: one ClassKeys behind the app-data files.
      const running = new EncryptedClassFiles(roots, new ClassKeys(roots));
      await running.write('apps', save, Buffer.from('level 12, 3 lives'));
      expect((await running.read('apps', save))?.toString()).toBe('level 12, 3 lives');

      const service = await rig.service({ classes: backupClassesFromRegistry(roots) });
      const backup = await service.backUp({ destination: 'usb', passphrase: PASSPHRASE, classes: ['apps'] });
      expect(backup.classes).toEqual(['apps']);

      // The wearer's data erased by the reset's own SecureWipe (its own ClassKeys): the key file is gone.
      const wipe = new SecureWipe(roots, new ClassKeys(roots));
      await wipe.destroyKeys([userDataClass('apps')]);
      await wipe.erase([userDataClass('apps')]);
      await expect(running.read('apps', save)).resolves.toBeNull();

      // A new game after the wipe: written under a new key that is on disk (a fresh start reads it).
      await running.write('apps', save, Buffer.from('level 1, new game'));
      const afterRestart = new EncryptedClassFiles(roots, new ClassKeys(roots));
      expect((await afterRestart.read('apps', save))?.toString()).toBe('level 1, new game');

      // The old save restored, its key with it: the running reader reads it with the restored key.
      await service.restore({ destination: 'usb', classes: ['apps'], passphrase: PASSPHRASE });
      expect((await running.read('apps', save))?.toString()).toBe('level 12, 3 lives');
      expect((await new EncryptedClassFiles(roots, new ClassKeys(roots)).read('apps', save))?.toString()).toBe('level 12, 3 lives');
      // And writes on under it: the next start reads them.
      await running.write('apps', join(roots.data, 'apps', 'game', 'slot2.bin'), Buffer.from('level 13'));
      expect(
        (await new EncryptedClassFiles(roots, new ClassKeys(roots)).read('apps', join(roots.data, 'apps', 'game', 'slot2.bin')))?.toString(),
      ).toBe('level 13');
    },
  );
});
