import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UBootEnvironmentFile, parseFwEnvConfig } from '../services/boot/UBootEnvironmentFile.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { SIMULATED_UBOOT_ENV_SIZE, SimulatedFirmware } from '../services/device/SimulatedFirmware.js';
import { UpdateTestRepository, downloadAndInstall } from '../../test-support/host/updateTestRepository.js';

// A simulated headset made with U-Boot (`headsetd --boot uboot`): the slot selection runs on a
// redundant U-Boot environment, and after every step libubootenv's fw_printenv, given the
// device's fw_env.config, reads exactly the variables the headset itself reads.

const repository = new UpdateTestRepository();
beforeAll(() => repository.open([{ version: '1.1.0' }]));
afterAll(() => repository.close());

/** What fw_printenv -c prints, as a map; checked equal to our own reading of the same copies. */
async function printenv(root: string): Promise<Map<string, string>> {
  const config = new SimulatedDeviceLayout(root).fwEnvConfig;
  const out = execFileSync('fw_printenv', ['-c', config], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const printed = new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  expect(await new UBootEnvironmentFile(parseFwEnvConfig(readFileSync(config, 'utf8'))).read()).toEqual(printed);
  return printed;
}

describe('a simulated headset with U-Boot', () => {
  it('update, trial boot, commit and manual rollback, with fw_printenv reading every step', async () => {
    const root = repository.newDevice();
    const { client, headset } = await repository.start(root, { boot: 'uboot' });
    const layout = new SimulatedDeviceLayout(root);
    // No GRUB block: the U-Boot environment is the boot environment, two redundant copies.
    expect(existsSync(layout.grubEnv)).toBe(false);
    for (const copy of [0, 1] as const) expect(statSync(layout.ubootEnvCopy(copy)).size).toBe(SIMULATED_UBOOT_ENV_SIZE);
    expect(new SimulatedFirmware(layout).ubootLayout().copies).toHaveLength(2);
    expect(Object.fromEntries(await printenv(root))).toMatchObject({ ORDER: 'A B', A_OK: '1', A_LEFT: '3', B_OK: '0', B_LEFT: '0' });

    await downloadAndInstall(client);
    expect((await client.call('update.status')).state).toEqual({ status: 'ready-to-reboot', version: '1.1.0' });
    // Installed: B is tried first, with its tries; A stays bootable to fall back to.
    expect(Object.fromEntries(await printenv(root))).toMatchObject({ ORDER: 'B A', B_OK: '1', B_LEFT: '3', A_OK: '1' });

    await client.call('update.restart');
    await expect.poll(async () => (await client.call('update.history'))[0]?.outcome, { timeout: 10_000 }).toBe('committed');
    expect(headset.services.boot.status.current()).toMatchObject({ activeSlot: 'B' });
    await expect.poll(async () => (await client.call('update.status')).rollbackTo, { timeout: 10_000 }).toEqual({ slot: 'A', version: '1.0.0' });
    // The trial spent a try at power-on; the commit gave them back.
    expect(Object.fromEntries(await printenv(root))).toMatchObject({ ORDER: 'B A', B_OK: '1', B_LEFT: '3', A_OK: '1' });

    await client.call('update.rollback');
    // Over once 1.0.0's boot was tried and committed: the history tells it then.
    await expect
      .poll(async () => (await client.call('update.history'))[0], { timeout: 10_000 })
      .toMatchObject({ outcome: 'manual-rollback', version: '1.0.0' });
    expect(headset.services.boot.status.current()).toMatchObject({ activeSlot: 'A' });
    expect(Object.fromEntries(await printenv(root))).toMatchObject({ ORDER: 'A B', A_OK: '1', A_LEFT: '3' });
  }, 30_000);

  it('a headset made with one bootloader refuses to start with the other', async () => {
    const root = repository.newDevice();
    await repository.start(root, { boot: 'uboot' });
    await repository.stopAll();
    await expect(repository.start(root, { boot: 'grub' })).rejects.toThrow(/made with uboot/);
    // Without --boot it keeps the one it was made with.
    const { headset } = await repository.start(root);
    expect(headset.services.boot.status.current()?.activeSlot).toBe('A');
    expect(existsSync(new SimulatedDeviceLayout(root).grubEnv)).toBe(false);
  });
});
