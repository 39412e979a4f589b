import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BOOT_TRIES } from '../../src/boot/bootSelection.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { BundleCache } from '../services/update/BundleCache.js';
import { useFileSync } from '../services/storage/fileSync.js';
import { cutAfterJournalWrite, readInstallJournal } from '../../test-support/host/powerCutRig.js';
import { UpdateTestRepository, downloadAndInstall } from '../../test-support/host/updateTestRepository.js';

// headsetd killed the moment its trial boot has journalled "committed": the journal entry is on
// the medium, nothing after it happened (history, update state, the kept bundle). The next start
// must finish that bookkeeping, once.

const repository = new UpdateTestRepository();
beforeAll(() => repository.open([{ version: '1.2.0' }]));
afterAll(() => repository.close());
afterEach(() => repository.stopAll());

describe('a power cut right after the trial boot journalled its commit', () => {
  it('the next start records the commit once, offers nothing, and leaves the journal finished', async () => {
    const root = repository.newDevice();
    const first = await repository.start(root);
    await downloadAndInstall(first.client);
    expect((await first.client.call('update.status')).state).toMatchObject({ status: 'ready-to-reboot', version: '1.2.0' });
    const cut = cutAfterJournalWrite('committed');
    const restore = useFileSync(cut.sync);
    try {
      await first.client.call('update.restart');
      await expect.poll(() => cut.fired(), { timeout: 10_000 }).toBe(true);
      // The process dies with the power.
      await repository.stopAll();
    } finally {
      restore();
    }
    expect(readInstallJournal(root)?.state.step).toBe('committed');

    const { headset, client } = await repository.start(root);
    const status = await client.call('update.status');
    // The new slot runs, committed (its tries back to the full count).
    expect(status.current).toEqual({ slot: 'B', version: '1.2.0' });
    expect(headset.services.boot.status.current()?.slots.find((slot) => slot.name === 'B')).toMatchObject({
      bootable: true,
      triesLeft: MAX_BOOT_TRIES,
    });
    // The bookkeeping that followed the journal entry was done at this start, once.
    const history = await client.call('update.history');
    expect(history.filter((entry) => entry.version === '1.2.0')).toMatchObject([{ outcome: 'committed', fromVersion: '1.0.0', slot: 'B' }]);
    expect(status.state.status).not.toMatch(/^(available|downloading|downloaded)$/);
    // Its bundle is kept, to come back to from a later version without a download.
    expect(await new BundleCache(join(new SimulatedDeviceLayout(root).stateDir, 'kept-bundles')).versions()).toEqual(['1.2.0']);
    await expect(client.call('update.install')).rejects.toMatchObject({ code: 'UPDATE_NOTHING_TO_DO' });
    await expect(client.call('update.download')).rejects.toMatchObject({ code: 'UPDATE_NOTHING_TO_DO' });
    expect((await client.call('update.check')).state.status).toBe('up-to-date');
    expect(readInstallJournal(root)).toMatchObject({ state: { step: 'committed' }, reported: true });

    // And at the start after that: nothing is recorded twice.
    await repository.stopAll();
    const again = await repository.start(root);
    expect((await again.client.call('update.history')).filter((entry) => entry.version === '1.2.0')).toHaveLength(1);
  }, 30_000);
});
