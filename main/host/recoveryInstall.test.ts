import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/api/client.js';
import type { RecoveryInstallState } from '../../src/api/contract.js';
import { decodeGrubEnv, encodeGrubEnv } from '../../src/boot/grubEnvCodec.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { UpdateTestRepository } from '../../test-support/host/updateTestRepository.js';

// Network and USB recovery on a simulated headset whose running slot is damaged and out of tries:
// the bootloader starts recovery, the kiosk's calls install through the update installer from a
// served TUF repository or a stick, and the next restart starts the installed system.

const repository = new UpdateTestRepository();
let bundle120 = '';
let bundle105 = '';
beforeAll(async () => {
  await repository.open([{ version: '1.1.0', imageBytes: 300_000 }]);
  // Signed by the repository's bundle key, but not published: what a stick carries.
  bundle120 = await repository.publish({ version: '1.2.0', imageBytes: 200_000 }, false);
  bundle105 = await repository.publish({ version: '1.0.5', imageBytes: 100_000 }, false);
});
afterAll(() => repository.close());
afterEach(() => repository.stopAll());

/** A headset at 1.0.0 whose slot A is damaged and spent its tries: its next start is in recovery. */
async function brokenHeadset(): Promise<string> {
  const root = repository.newDevice();
  await repository.start(root);
  await repository.stopAll();
  const layout = new SimulatedDeviceLayout(root);
  const fd = openSync(layout.slotImage('A'), 'r+');
  writeSync(fd, Buffer.from('DAMAGED!'), 0, 8, 100);
  closeSync(fd);
  const variables = decodeGrubEnv(readFileSync(layout.grubEnv));
  variables.set('A_LEFT', '0');
  writeFileSync(layout.grubEnv, encodeGrubEnv(variables));
  return root;
}

/** Started as after power-on: no forced mode, so the bootloader and the journal decide. */
async function startInRecovery(root: string) {
  const started = await repository.start(root, { mode: undefined });
  const states: RecoveryInstallState[] = [];
  started.client.subscribe('recovery.installChanged', (state) => states.push(state));
  return { ...started, states };
}

async function settled(client: ApiClient): Promise<RecoveryInstallState> {
  let state: RecoveryInstallState = { status: 'idle' };
  await expect
    .poll(
      async () => {
        state = await client.call('recovery.installStatus');
        return state.status;
      },
      { timeout: 30_000 },
    )
    .toMatch(/^(installed|failed)$/);
  return state;
}

function fileState(root: string) {
  const layout = new SimulatedDeviceLayout(root);
  return {
    grub: [...decodeGrubEnv(readFileSync(layout.grubEnv))].filter(([name]) => !name.endsWith('_LEFT') || name === 'B_LEFT'),
    slotB: existsSync(layout.slotImage('B')) ? readFileSync(layout.slotImage('B')).subarray(0, 64).toString('hex') : null,
    // What each slot holds, as the boot's checks read it: a refused install records nothing.
    records: readFileSync(join(layout.stateDir, 'slots.json'), 'utf8'),
  };
}

describe('recovery installs', () => {
  it('network recovery onto a damaged running slot: newest full system, verified, installed, started at the restart; all of it logged under recovery', async () => {
    const root = await brokenHeadset();
    const { client, headset, states } = await startInRecovery(root);
    expect(await client.call('mode.get')).toMatchObject({ mode: 'recovery', reason: 'boot-failed' });
    // The recovery system runs from the recovery partition; the slot it names is the one it fell back to.
    expect(readFileSync(new SimulatedDeviceLayout(root).cmdline, 'utf8')).toContain('root=PARTLABEL=recovery');

    expect((await client.call('recovery.installFromNetwork')).status).not.toBe('idle');
    const done = await settled(client);
    expect(done).toEqual({ status: 'installed', source: 'network', version: '1.1.0', slot: 'B' });
    expect(states.map((s) => s.status)).toEqual(expect.arrayContaining(['checking', 'downloading', 'installing', 'installed']));
    expect(states.some((s) => s.status === 'downloading' && s.bytes > 0)).toBe(true);

    await client.call('recovery.restart');
    await expect.poll(() => headset.services.boot.status.current()?.activeSlot, { timeout: 15_000 }).toBe('B');
    // Out of recovery (into the first-run setup: this headset never finished it).
    await expect.poll(async () => (await client.call('mode.get')).mode, { timeout: 15_000 }).toBe('setup');
    await expect.poll(async () => (await client.call('update.history'))[0]?.outcome, { timeout: 15_000 }).toBe('committed');
    expect((await client.call('update.status')).current).toEqual({ slot: 'B', version: '1.1.0' });

    // In the normal boot's log, and in the USB export.
    const logged = await client.call('logs.query', { subsystems: ['recovery'], limit: 50 });
    const messages = logged.entries.map((e) => e.msg).join('\n');
    expect(messages).toContain('started in recovery');
    expect(messages).toContain('network recovery installed 1.1.0 into slot B');
    expect(messages).toContain('leaving recovery: restart');
    await client.call('setup.complete');
    const stick = new SimulatedDeviceLayout(root).usbStick;
    mkdirSync(stick, { recursive: true });
    const exported = await client.call('logs.export', { subsystems: ['recovery'] });
    const lines = gunzipSync(readFileSync(join(stick, exported.fileName)))
      .toString('utf8')
      .trim()
      .split('\n');
    expect(
      lines
        .map((line) => JSON.parse(line) as { subsystem: string; msg: string })
        .some((r) => r.subsystem === 'recovery' && r.msg.includes('installed 1.1.0')),
    ).toBe(true);
  });

  it('USB recovery: no stick, no bundle, a tampered bundle: each refused with its code, nothing switched; the good one installs from a copy', async () => {
    const root = await brokenHeadset();
    const { client } = await startInRecovery(root);
    const stick = new SimulatedDeviceLayout(root).usbStick;

    await expect(client.call('recovery.installFromUsb')).rejects.toMatchObject({ code: 'RECOVERY_NO_STICK' });
    mkdirSync(stick, { recursive: true });
    await expect(client.call('recovery.installFromUsb')).rejects.toMatchObject({ code: 'RECOVERY_NO_BUNDLE_ON_STICK' });

    const before = fileState(root);
    const tampered = readFileSync(bundle120);
    tampered[tampered.length - 1000]! ^= 0xff;
    writeFileSync(join(stick, 'headset-1.2.0.hcb'), tampered);
    await client.call('recovery.installFromUsb');
    expect(await settled(client)).toMatchObject({ status: 'failed', source: 'usb', error: { code: 'BUNDLE_PAYLOAD_MISMATCH' } });
    expect(fileState(root)).toEqual(before);

    // The signed bundle as built: verified and installed into the slot recovery did not fall back to.
    rmSync(join(stick, 'headset-1.2.0.hcb'));
    copyFileSync(bundle120, join(stick, 'headset-1.2.0.hcb'));
    await client.call('recovery.installFromUsb');
    expect(await settled(client)).toEqual({ status: 'installed', source: 'usb', version: '1.2.0', slot: 'B' });
    // The stick keeps its file; the install worked on its own copy.
    expect(readdirSync(stick)).toContain('headset-1.2.0.hcb');
  });

  it('USB recovery keeps the version floor: a bundle older than what a slot records is UPDATE_NOT_NEWER, nothing written', async () => {
    const root = await brokenHeadset();
    const layout = new SimulatedDeviceLayout(root);
    // Slot B records 1.1.0 (as an earlier update left it): the floor, even though A (1.0.0) is the slot recovery fell back to.
    const recordsPath = join(layout.stateDir, 'slots.json');
    const records = JSON.parse(readFileSync(recordsPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(recordsPath, JSON.stringify({ ...records, B: { ...(records.A as object), version: '1.1.0' } }));
    const { client } = await startInRecovery(root);
    mkdirSync(layout.usbStick, { recursive: true });
    copyFileSync(bundle105, join(layout.usbStick, 'headset-1.0.5.hcb'));
    const before = fileState(root);
    await client.call('recovery.installFromUsb');
    expect(await settled(client)).toMatchObject({ status: 'failed', source: 'usb', error: { code: 'UPDATE_NOT_NEWER' } });
    expect(fileState(root)).toEqual(before);
  });
});
