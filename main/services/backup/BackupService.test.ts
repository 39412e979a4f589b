import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/api/errors.js';
import { createBackupRig, fillSmallPartition, type BackupRig } from '../../../test-support/backup/backupRig.js';

const PASSPHRASE = 'correct horse battery staple';
let rig: BackupRig;

afterEach(async () => {
  await rig?.cleanup();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('BackupService with restic', () => {
  it(
    'backs up the default classes to the stick, verifies, lists, restores a class byte for byte, and adds little when nothing changed',
    { timeout: 60_000 },
    async () => {
      rig = await createBackupRig();
      await fillSmallPartition(rig);
      const service = await rig.service();
      const phases = new Set<string>();
      service.overview.subscribe(
        (overview) => overview.activity.state !== 'idle' && phases.add(`${overview.activity.state}:${overview.activity.phase}`),
      );

      const record = await service.backUp({ destination: 'usb', passphrase: PASSPHRASE });
      expect(record.classes).toEqual(['profile', 'app-data']);
      expect(record.files).toBe(43);
      expect(record.verified).toMatchObject({ result: 'ok', how: 'after-backup', readData: 'all' });
      expect(record.verified!.sampleFiles).toBeGreaterThan(0);
      expect([...phases]).toEqual(expect.arrayContaining(['backing-up:preparing', 'backing-up:checking', 'backing-up:sample-restore']));
      expect(await readdir(join(rig.usbDir, 'headset-backup'))).toContain('config');
      // Logs are not a default class: not in the backup.
      expect(service.current().backups).toHaveLength(1);
      expect(service.current().destinations.find((d) => d.kind === 'usb')).toMatchObject({ present: true, appliesRetention: true });

      // Nothing changed: the verified backup there already holds it all, no new snapshot (the passphrase still checked).
      expect(await codeOf(service.backUp({ destination: 'usb', passphrase: 'not the passphrase' }))).toBe('BACKUP_WRONG_PASSPHRASE');
      expect((await service.backUp({ destination: 'usb', passphrase: PASSPHRASE })).id).toBe(record.id);
      expect(rig.logLines.filter((line) => line.includes('backup not needed'))).toHaveLength(1);
      expect(service.current().backups).toHaveLength(1);
      // One file touched: a new snapshot, adding little.
      await rig.write('profile/settings.json', '{"ipd":63.5,"name":"Jane","theme":"dark"}');
      const again = await service.backUp({ destination: 'usb', passphrase: PASSPHRASE });
      expect(again.id).not.toBe(record.id);
      expect(again.added).toBeLessThan(2_000);

      const original = await readFile(join(rig.dataDir, 'apps/game/saves/slot7.sav'));
      await writeFile(join(rig.dataDir, 'apps/game/saves/slot7.sav'), 'overwritten');
      await rm(join(rig.dataDir, 'apps/game/cache.bin'));
      await writeFile(join(rig.dataDir, 'profile/settings.json'), '{"changed":true}');
      const restored = await service.restore({ destination: 'usb', classes: ['app-data'], passphrase: PASSPHRASE });
      expect(restored).toMatchObject({ backupId: again.id, classes: ['app-data'], files: 41 });
      expect(await readFile(join(rig.dataDir, 'apps/game/saves/slot7.sav'))).toEqual(original);
      expect((await readFile(join(rig.dataDir, 'apps/game/cache.bin'))).length).toBe(600_000);
      // Only the chosen class came back.
      expect(await readFile(join(rig.dataDir, 'profile/settings.json'), 'utf8')).toBe('{"changed":true}');
      // No staging left on the data partition.
      expect(await readdir(join(rig.dataDir, 'headsetd/backup/staging')).catch(() => [])).toEqual([]);
    },
  );

  it('refuses a wrong passphrase for an existing backup (backup, restore and browse)', { timeout: 60_000 }, async () => {
    rig = await createBackupRig();
    await fillSmallPartition(rig);
    const service = await rig.service();
    await service.backUp({ destination: 'local', passphrase: PASSPHRASE });
    expect(await codeOf(service.backUp({ destination: 'local', passphrase: 'not the passphrase' }))).toBe('BACKUP_WRONG_PASSPHRASE');
    expect(await codeOf(service.restore({ destination: 'local', passphrase: 'not the passphrase' }))).toBe('BACKUP_WRONG_PASSPHRASE');
    expect(await codeOf(service.browse({ destination: 'local', passphrase: 'not the passphrase' }))).toBe('BACKUP_WRONG_PASSPHRASE');
    expect(await codeOf(service.backUp({ destination: 'local', passphrase: 'short' }))).toBe('BACKUP_PASSPHRASE_TOO_SHORT');
    expect(service.current().last).toMatchObject({ operation: 'backup', error: 'BACKUP_PASSPHRASE_TOO_SHORT' });
  });

  it('finds a flipped bit in the repository and names the files it hits', { timeout: 60_000 }, async () => {
    rig = await createBackupRig();
    await rig.write('profile/settings.json', 'small');
    const service = await rig.service();
    await service.backUp({ destination: 'usb', passphrase: PASSPHRASE });
    // A second backup writes the big file's data into packs of its own: the largest pack.
    await rig.write('apps/big/model.bin', 3_000_000);
    const record = await service.backUp({ destination: 'usb', passphrase: PASSPHRASE });
    const packs: { path: string; size: number }[] = [];
    const dataRoot = join(rig.usbDir, 'headset-backup', 'data');
    for (const sub of await readdir(dataRoot)) {
      for (const name of await readdir(join(dataRoot, sub))) {
        const path = join(dataRoot, sub, name);
        packs.push({ path, size: (await readFile(path)).length });
      }
    }
    const largest = packs.sort((a, b) => b.size - a.size)[0]!;
    const bytes = await readFile(largest.path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    await writeFile(largest.path, bytes);

    const verification = await service.verify({ destination: 'usb', passphrase: PASSPHRASE });
    expect(verification).toMatchObject({ backupId: record.id, result: 'damaged', readData: 'all' });
    expect(verification.damagedFiles).toContain('/apps/big/model.bin');
    expect(verification.damagedFiles).not.toContain('/profile/settings.json');
    expect(service.current().backups[0]!.verified).toMatchObject({ result: 'damaged' });
    // The scheduled check reads with the headset's own key, no passphrase.
    const scheduled = await service.verify({ destination: 'usb' }, 'scheduled');
    expect(scheduled).toMatchObject({ result: 'damaged', how: 'scheduled' });
  });

  it('stops with BACKUP_DESTINATION_GONE when the stick is pulled out mid-backup, and the next backup works', { timeout: 120_000 }, async () => {
    rig = await createBackupRig();
    for (let i = 0; i < 12; i++) await rig.write(`apps/media/clip${i}.bin`, 8_000_000);
    const service = await rig.service();
    let pulledAt = 0;
    service.overview.subscribe((overview) => {
      if (!pulledAt && overview.activity.state === 'backing-up' && overview.activity.phase === 'copying' && overview.activity.bytesDone > 0) {
        pulledAt = Date.now();
        void rm(rig.usbDir, { recursive: true, force: true });
      }
    });
    expect(await codeOf(service.backUp({ destination: 'usb', passphrase: PASSPHRASE }))).toBe('BACKUP_DESTINATION_GONE');
    expect(pulledAt).toBeGreaterThan(0);
    // Told at once, not after restic's minutes of retries.
    expect(Date.now() - pulledAt).toBeLessThan(10_000);
    expect(service.current().backups).toEqual([]);
    expect(service.current().activity).toEqual({ state: 'idle' });
    // Plugged in again (restic may have recreated empty folders on the way out: a backup starts over there).
    await rm(rig.usbDir, { recursive: true, force: true });
    expect(await codeOf(service.backUp({ destination: 'usb', passphrase: PASSPHRASE }))).toBe('BACKUP_DESTINATION_MISSING');
    await mkdir(rig.usbDir);
    await rig.write('apps/media/clip0.bin', 1000);
    for (let i = 1; i < 12; i++) await rm(join(rig.dataDir, `apps/media/clip${i}.bin`));
    expect((await service.backUp({ destination: 'usb', passphrase: PASSPHRASE })).verified?.result).toBe('ok');
  });

  it('refuses a backup from another model and one of a newer schema', { timeout: 60_000 }, async () => {
    rig = await createBackupRig();
    await fillSmallPartition(rig);
    await (await rig.service()).backUp({ destination: 'usb', passphrase: PASSPHRASE });
    const otherModel = await rig.service({ model: 'HX-2', workDir: join(rig.root, 'other-work') });
    expect(await codeOf(otherModel.restore({ destination: 'usb', passphrase: PASSPHRASE }))).toBe('BACKUP_OTHER_MODEL');
    const found = await otherModel.browse({ destination: 'usb', passphrase: PASSPHRASE });
    expect(found[0]).toMatchObject({ model: 'HX-1', refused: 'BACKUP_OTHER_MODEL', classes: ['profile', 'app-data'] });

    const { ResticProcess } = await import('./ResticProcess.js');
    const { ResticRepository } = await import('./ResticRepository.js');
    const { Passphrase } = await import('./Passphrase.js');
    const { manifestTags } = await import('../../../src/backup/backupManifest.js');
    const repository = new ResticRepository(new ResticProcess(), join(rig.usbDir, 'headset-backup'));
    const held = Passphrase.hold(PASSPHRASE, rig.secrets);
    const newer = await repository.backup(
      {
        cwd: rig.dataDir,
        paths: ['profile'],
        tags: manifestTags({ schema: 99, model: 'HX-1', appVersion: '9.0.0', classes: ['profile'] }),
        host: 'device-0001',
      },
      held.passphrase,
    );
    held.release();
    const service = await rig.service();
    const error = await service.restore({ destination: 'usb', backupId: newer.snapshotId, passphrase: PASSPHRASE }).catch((e: AppError) => e);
    expect(error).toMatchObject({ code: 'BACKUP_NEWER_SCHEMA', details: { backupSchema: 99, supportedSchema: 1, madeBy: '9.0.0' } });
  });

  it('restores onto a freshly reset headset (another device id, empty data) from the stick', { timeout: 60_000 }, async () => {
    rig = await createBackupRig();
    await fillSmallPartition(rig);
    await (await rig.service()).backUp({ destination: 'usb', passphrase: PASSPHRASE });
    const profile = await readFile(join(rig.dataDir, 'profile/settings.json'), 'utf8');
    await rm(rig.dataDir, { recursive: true });
    const fresh = await rig.service({ host: () => 'device-0002' });
    expect(fresh.current().backups).toEqual([]);
    const result = await fresh.restore({ destination: 'usb', passphrase: PASSPHRASE });
    expect(result.classes).toEqual(['profile', 'app-data']);
    expect(await readFile(join(rig.dataDir, 'profile/settings.json'), 'utf8')).toBe(profile);
    // The restored headset added its own verification key: it can check the stick on its schedule.
    expect((await fresh.verify({ destination: 'usb' }, 'scheduled')).result).toBe('ok');
  });

  it('applies retention on local places: the oldest backups go', { timeout: 90_000 }, async () => {
    rig = await createBackupRig();
    await fillSmallPartition(rig);
    const service = await rig.service({ retention: { keepLast: 2, keepDaily: 0, keepWeekly: 0 } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      await rig.write('profile/counter.txt', String(i));
      ids.push((await service.backUp({ destination: 'local', passphrase: PASSPHRASE })).id);
    }
    expect(service.current().backups.map((b) => b.id)).toEqual([ids[2], ids[1]]);
    expect(ids.every((id) => /^[0-9a-f]{8}$/.test(id))).toBe(true);
    const found = await service.browse({ destination: 'local', passphrase: PASSPHRASE });
    expect(found.map((b) => b.id)).toEqual([ids[2], ids[1]]);
  });

  it('refuses unknown classes, empty choices, a class not in the backup, and a second operation at once', { timeout: 60_000 }, async () => {
    rig = await createBackupRig();
    await fillSmallPartition(rig);
    const service = await rig.service();
    expect(await codeOf(service.backUp({ destination: 'usb', classes: ['nope'], passphrase: PASSPHRASE }))).toBe('BACKUP_UNKNOWN_CLASS');
    expect(await codeOf(service.backUp({ destination: 'usb', classes: [], passphrase: PASSPHRASE }))).toBe('BACKUP_NOTHING_SELECTED');
    await service.backUp({ destination: 'usb', classes: ['profile'], passphrase: PASSPHRASE });
    expect(await codeOf(service.restore({ destination: 'usb', classes: ['logs'], passphrase: PASSPHRASE }))).toBe('BACKUP_CLASS_NOT_IN_BACKUP');
    const first = service.backUp({ destination: 'usb', passphrase: PASSPHRASE });
    expect(await codeOf(service.backUp({ destination: 'usb', passphrase: PASSPHRASE }))).toBe('BACKUP_IN_PROGRESS');
    await first;
    expect(await codeOf(service.backUp({ destination: 'cloud', passphrase: PASSPHRASE }))).toBe('BACKUP_DESTINATION_MISSING');
  });
});
