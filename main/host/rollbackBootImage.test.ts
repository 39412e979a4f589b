import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { UpdateTestRepository, downloadAndInstall } from '../../test-support/host/updateTestRepository.js';

// A manual rollback verifies every image recorded for the slot it goes back to: on a U-Boot board
// a slot updated with a boot image is refused when that boot image was damaged since, as it is
// when its rootfs was (updateFlow.test.ts), and nothing switches.

const repository = new UpdateTestRepository();
beforeAll(() => repository.open([{ version: '1.1.0', bootImage: true }]));
afterAll(() => repository.close());

it('a manual rollback to a slot whose boot image was damaged is refused with SLOT_VERIFY_FAILED and changes nothing', async () => {
  const root = repository.newDevice();
  const { client, headset } = await repository.start(root, { boot: 'uboot' });
  const layout = new SimulatedDeviceLayout(root);
  // 1.1.0 (with its boot image) into B, then 1.2.0 into A: B is the slot to go back to.
  for (const [version, slot] of [
    ['1.1.0', 'B'],
    ['1.2.0', 'A'],
  ] as const) {
    if (version === '1.2.0') await repository.publish({ version, bootImage: true });
    await downloadAndInstall(client);
    await client.call('update.restart');
    await expect.poll(async () => (await client.call('update.history'))[0], { timeout: 10_000 }).toMatchObject({ version, outcome: 'committed' });
    expect(headset.services.boot.status.current()?.activeSlot).toBe(slot);
  }
  await expect.poll(async () => (await client.call('update.status')).rollbackTo, { timeout: 10_000 }).toEqual({ slot: 'B', version: '1.1.0' });

  const damaged = readFileSync(layout.bootImage('B'));
  damaged[damaged.length - 1]! ^= 0xff;
  writeFileSync(layout.bootImage('B'), damaged);
  const before = { boot: headset.services.boot.status.current()!, history: await client.call('update.history') };
  expect(before.boot).toMatchObject({ activeSlot: 'A', order: ['A', 'B'] });

  await expect(client.call('update.rollback')).rejects.toMatchObject({ code: 'SLOT_VERIFY_FAILED', message: expect.stringMatching(/boot/) });
  // Nothing switched: same running slot, same boot order, no rollback in the history.
  const after = headset.services.boot.status.current()!;
  expect(after).toMatchObject({ activeSlot: 'A', order: ['A', 'B'], bootId: before.boot.bootId });
  expect(await client.call('update.history')).toEqual(before.history);
  expect((await client.call('update.status')).rollbackTo).toEqual({ slot: 'B', version: '1.1.0' });

  // With the boot image whole again the same rollback goes through (what was refused was the damage).
  damaged[damaged.length - 1]! ^= 0xff;
  writeFileSync(layout.bootImage('B'), damaged);
  await client.call('update.rollback');
  await expect.poll(() => headset.services.boot.status.current()?.activeSlot, { timeout: 10_000 }).toBe('B');
}, 60_000);
