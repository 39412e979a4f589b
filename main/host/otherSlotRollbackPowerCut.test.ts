import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/api/client.js';
import { useFileSync, type FileSync } from '../services/storage/fileSync.js';
import {
  cutAfterBootOrderChange,
  cutAfterJournalWrite,
  expectWearerFiles,
  readInstallJournal,
  writeWearerFiles,
} from '../../test-support/host/powerCutRig.js';
import { UpdateTestRepository, downloadAndInstall } from '../../test-support/host/updateTestRepository.js';

// Going back to the other slot (update.rollback without a version) through headsetd, the power
// cut in the middle of it: the headset runs the newer version on its own data, or the older one on
// the data it last ran with, and the history tells of the going back once, never the mix.

const VERSIONS = ['1.0.0', '1.1.0'];
const repository = new UpdateTestRepository();
beforeAll(() => repository.open([{ version: '1.1.0', imageBytes: 50_000 }]));
afterAll(() => repository.close());
afterEach(() => repository.stopAll());

/** A headset that ran 1.0.0, then updated to 1.1.0 (slot B), each version's wearer files written while it ran. */
async function updatedHeadset(): Promise<{ root: string; client: ApiClient }> {
  const root = repository.newDevice();
  const { client } = await repository.start(root);
  writeWearerFiles(root, '1.0.0', VERSIONS);
  await downloadAndInstall(client);
  await client.call('update.restart');
  await committed(client, '1.1.0');
  writeWearerFiles(root, '1.1.0', VERSIONS);
  expect((await client.call('update.status')).rollbackTo).toEqual({ slot: 'A', version: '1.0.0' });
  return { root, client };
}

/** The history's newest entry once the boot that tries `version` committed (the API answers during it). */
const committed = (client: ApiClient, version: string, outcome = 'committed') =>
  expect.poll(async () => (await client.call('update.history'))[0], { timeout: 10_000 }).toMatchObject({ outcome, version });

/** Asks to go back with `cut` in every fsync; the process dies with the power once it fired. */
async function goBackCut(client: ApiClient, cut: { sync: FileSync; fired: () => boolean }): Promise<void> {
  const restore = useFileSync(cut.sync);
  try {
    // The power cut is no error of the API's: unexpected, INTERNAL (as the process dies anyway).
    await expect(client.call('update.rollback')).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(cut.fired()).toBe(true);
    await repository.stopAll();
  } finally {
    restore();
  }
}

/** 1.0.0 runs from slot A on its own files, told once as the wearer's going back; 1.1.0 stays in B to come back to. */
async function expectWentBack(root: string, client: ApiClient): Promise<void> {
  const status = await client.call('update.status');
  expect(status.current).toEqual({ slot: 'A', version: '1.0.0' });
  expect(status.rollbackTo).toEqual({ slot: 'B', version: '1.1.0' });
  expect(status.state).toEqual({ status: 'idle' });
  expectWearerFiles(root, '1.0.0', VERSIONS, 'back at 1.0.0');
  const history = await client.call('update.history');
  expect(history.filter((entry) => entry.outcome === 'manual-rollback')).toMatchObject([{ fromVersion: '1.1.0', version: '1.0.0', slot: 'A' }]);
  // Nothing was installed: no other entry of 1.0.0.
  expect(history.filter((entry) => entry.version === '1.0.0')).toHaveLength(1);
  expect(readInstallJournal(root)).toMatchObject({ state: { step: 'committed' }, reported: true, manualRollback: { otherSlot: true } });
}

describe('going back to the other slot, the power cut half way', () => {
  it('cut once the boot order changed: the next start tries 1.0.0 on the data it last ran with, commits it, and tells of it once', async () => {
    const { root, client } = await updatedHeadset();
    await goBackCut(client, cutAfterBootOrderChange('A'));

    const again = await repository.start(root);
    await committed(again.client, '1.0.0', 'manual-rollback');
    await expectWentBack(root, again.client);
  }, 30_000);

  it('cut once its journal entry was written, before the boot order changed: 1.1.0 runs on, waiting to restart into 1.0.0', async () => {
    const { root, client } = await updatedHeadset();
    await goBackCut(client, cutAfterJournalWrite('switch'));

    // The start resumes the switch; the wearer is told what the restart goes back to (no offer says it).
    const again = await repository.start(root);
    const waiting = await again.client.call('update.status');
    expect(waiting.current).toEqual({ slot: 'B', version: '1.1.0' });
    expect(waiting.state).toEqual({ status: 'ready-to-reboot', version: '1.0.0' });
    expectWearerFiles(root, '1.1.0', VERSIONS, 'before the restart');
    expect((await again.client.call('update.history')).some((entry) => entry.outcome === 'manual-rollback')).toBe(false);

    await again.client.call('update.restart');
    await committed(again.client, '1.0.0', 'manual-rollback');
    await expectWentBack(root, again.client);
  }, 30_000);
});
