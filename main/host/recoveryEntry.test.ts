import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeGrubEnv } from '../../src/boot/grubEnvCodec.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { UpdateTestRepository } from '../../test-support/host/updateTestRepository.js';

// The ways into recovery besides the button and the spent slots (recoveryInstall.test.ts): the
// wearer's "Restart into recovery" (a one-boot request the bootloader answers) and a factory reset
// cut short; each says which in mode.get's reason, and the log's recovery subsystem tells it.

const repository = new UpdateTestRepository();
beforeAll(() => repository.open([]));
afterAll(() => repository.close());
afterEach(() => repository.stopAll());

describe('entering recovery', () => {
  it('Restart into recovery: one boot into recovery, no try spent; leaving it boots the slot again', async () => {
    const root = repository.newDevice();
    const { client, headset } = await repository.start(root);
    const grubEnv = new SimulatedDeviceLayout(root).grubEnv;
    expect(await client.call('mode.restartIntoRecovery')).toEqual({ restarting: true });
    await expect.poll(async () => (await client.call('mode.get')).reason, { timeout: 15_000 }).toBe('restart-into-recovery');
    expect((await client.call('mode.get')).mode).toBe('recovery');
    const variables = decodeGrubEnv(readFileSync(grubEnv));
    expect(variables.get('RECOVERY')).toBe('0');
    expect(variables.get('A_LEFT')).toBe('3');
    expect(readFileSync(new SimulatedDeviceLayout(root).cmdline, 'utf8')).toContain('headset.recovery_reason=requested');
    await client.call('recovery.restart');
    await expect.poll(async () => (await client.call('mode.get')).mode, { timeout: 15_000 }).not.toBe('recovery');
    expect(headset.services.boot.status.current()?.activeSlot).toBe('A');
    const logged = (await client.call('logs.query', { subsystems: ['recovery'] })).entries.map((e) => e.msg);
    expect(logged).toEqual(
      expect.arrayContaining(['restart into recovery requested from Settings', 'started in recovery', 'leaving recovery: restart']),
    );
  });

  it('Restart into recovery needs the unlocked scope and the settings mode', async () => {
    const root = repository.newDevice();
    const { client } = await repository.start(root, { mode: 'setup' });
    await expect(client.call('mode.restartIntoRecovery')).rejects.toMatchObject({ code: 'WRONG_MODE' });
  });

  it('a factory reset cut short starts in recovery and says so', async () => {
    const root = repository.newDevice();
    await repository.start(root);
    await repository.stopAll();
    // The journal lives on the persist partition (resetCapability's resetDir).
    const dir = join(new SimulatedDeviceLayout(root).persistDir, 'reset');
    mkdirSync(dir, { recursive: true });
    // The journal as a cut before the erase leaves it (the reset capability resumes it at start).
    writeFileSync(
      join(dir, 'journal.json'),
      JSON.stringify({
        step: 'erase',
        id: 'r1',
        scope: 'logs',
        startedAt: new Date().toISOString(),
        overwritePasses: 1,
        overwriteReason: null,
        inventory: [],
        keyed: [],
        keptHashes: [],
      }),
    );
    const { client } = await repository.start(root, { mode: undefined });
    expect(await client.call('mode.get')).toMatchObject({ mode: 'recovery', reason: 'reset-pending' });
  });
});
