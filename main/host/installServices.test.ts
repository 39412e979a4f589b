import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustedKey } from '../../src/update/verify.js';
import { bootSystem } from '../services/update/bootSequence.js';
import { BootService } from '../services/boot/BootService.js';
import { KernelCommandLine } from '../services/boot/KernelCommandLine.js';
import { SlotRecordFile } from '../services/boot/SlotRecordFile.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { SimulatedFirmware } from '../services/device/SimulatedFirmware.js';
import { SimulatedSlotPartitions } from '../services/device/SimulatedSlotPartitions.js';
import { GpioValueFile } from '../services/mode/GpioValueFile.js';
import { ModeService } from '../services/mode/ModeService.js';
import { SimulatedServiceControl, type SimulatedUnit } from '../services/platform/SimulatedServiceControl.js';
import { createBundle } from '../operator/bundles/BundleWriter.js';
import { InstallJournal, type InstallRecord } from '../services/update/InstallJournal.js';
import { Installer } from '../services/update/Installer.js';
import { generateKeys, loadSigningKey } from '../operator/keys/signingKeys.js';
import { loadTrustedKey } from '../services/update/trustedKeys.js';
import { capturedLog } from '../../test-support/logging/capturedLog.js';

// The installer stops the services the bundle names and those holding the inactive slot before it
// writes the slot, and starts them after: on the simulated headset's systemd (a unit table, with
// states in its volatile /run).

const SLOT_SIZE = 1024 * 1024;
const INSPECTOR = 'headset-slot-inspector.service';
const TRACKING = 'headset-tracking.service';
const SYNC = 'headset-data-sync.service';

class PowerCut extends Error {}

let work: string;
let trusted: TrustedKey[];
let bundle: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'install-services-'));
  await generateKeys(join(work, 'keys'), ['bundle']);
  trusted = [await loadTrustedKey(join(work, 'keys', 'bundle.pub'))];
  writeFileSync(join(work, 'rootfs.img'), Buffer.concat([Buffer.from('HEADSET-OS 1.1.0\n'), randomBytes(300_000)]));
  bundle = join(work, 'update-1.1.0.hcb');
  await createBundle({
    version: '1.1.0',
    compatible: 'HC-1-simulated',
    services: [TRACKING],
    images: [{ name: 'rootfs', path: join(work, 'rootfs.img') }],
    key: await loadSigningKey(join(work, 'keys', 'bundle.key')),
    out: bundle,
  });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function device(units?: Record<string, SimulatedUnit>): Promise<string> {
  const root = mkdtempSync(join(work, 'device-'));
  const layout = new SimulatedDeviceLayout(root);
  await new SimulatedFirmware(layout).manufacture({ factoryVersion: '1.0.0', slotSizeBytes: SLOT_SIZE });
  if (units) writeFileSync(layout.serviceUnits, JSON.stringify(units));
  return root;
}

/** One boot of the device: the firmware's power-on, then the system's services over the same folder. */
async function powerOn(root: string, afterChunk?: () => void | Promise<void>) {
  const layout = new SimulatedDeviceLayout(root);
  const firmware = new SimulatedFirmware(layout);
  await firmware.powerOn();
  const boot = new BootService(
    await firmware.bootEnvironment(),
    new KernelCommandLine(layout.cmdline, layout.bootId),
    new SlotRecordFile(firmware.slotRecordsPath()),
    join(layout.stateDir, 'boot-count.json'),
  );
  const services = new SimulatedServiceControl(layout.serviceUnits, layout.serviceStates);
  const log: string[] = [];
  const installer = new Installer({
    boot,
    partitions: new SimulatedSlotPartitions(layout, SLOT_SIZE),
    journal: new InstallJournal(join(layout.stateDir, 'install.json')),
    trusted,
    model: 'HC-1-simulated',
    services,
    afterChunk,
    log: capturedLog(log),
  });
  const outcome = await bootSystem({ boot, installer, mode: new ModeService(layout.stateDir, new GpioValueFile(layout.recoveryButton)) });
  return { layout, boot, installer, services, log, outcome };
}

function journal(root: string): InstallRecord {
  return JSON.parse(readFileSync(join(new SimulatedDeviceLayout(root).stateDir, 'install.json'), 'utf8')) as InstallRecord;
}

describe('services around an install', () => {
  it("stops the slot inspector and the bundle's services while the slot is written, and starts them after", async () => {
    const root = await device();
    const seen: Record<string, string>[] = [];
    const services = new SimulatedServiceControl(new SimulatedDeviceLayout(root).serviceUnits, new SimulatedDeviceLayout(root).serviceStates);
    const parts = await powerOn(root, async () => void seen.push(await services.states()));
    expect(await services.states()).toEqual({ [INSPECTOR]: 'active', [TRACKING]: 'active', [SYNC]: 'active' });
    await parts.installer.install(bundle);
    // During every chunk of the write: the holder of the slot and the bundle's service were stopped, the others ran on.
    expect(seen.length).toBeGreaterThan(0);
    for (const states of seen) expect(states).toEqual({ [INSPECTOR]: 'inactive', [TRACKING]: 'inactive', [SYNC]: 'active' });
    expect(await services.states()).toEqual({ [INSPECTOR]: 'active', [TRACKING]: 'active', [SYNC]: 'active' });
    expect(journal(root)).toMatchObject({
      state: { step: 'await-reboot' },
      services: { units: [INSPECTOR, TRACKING], restarted: true, problems: [] },
    });
    expect(parts.log).toEqual(
      expect.arrayContaining([`stopped ${INSPECTOR} for the install of 1.1.0`, `started ${TRACKING} again after writing slot B`]),
    );
  });

  it('a service that does not start again is logged and recorded, and the install goes on', async () => {
    const root = await device({ [INSPECTOR]: { enabled: true, holdsInactiveSlot: true }, [TRACKING]: { enabled: true, failsToStart: true } });
    const parts = await powerOn(root);
    await parts.installer.install(bundle);
    expect(await parts.services.states()).toEqual({ [INSPECTOR]: 'active', [TRACKING]: 'failed' });
    const record = journal(root);
    expect(record.state.step).toBe('await-reboot');
    expect(record.services?.problems).toEqual([`start ${TRACKING}: Job for ${TRACKING} failed because the control process exited with error code.`]);
    expect(parts.log.join('\n')).toMatch(/service did not start again after the install of 1\.1\.0: start headset-tracking\.service/);
    // The record keeps it through the trial boot that commits the update (the history shows it: updateServicesFlow.test.ts).
    const next = await powerOn(root);
    expect(next.outcome).toBe('committed');
    expect(journal(root).services?.problems).toHaveLength(1);
  });

  it('a service that will not stop fails the install with UPDATE_SERVICE_STOP_FAILED: nothing written, stopped ones started again', async () => {
    const root = await device({ [INSPECTOR]: { enabled: true, holdsInactiveSlot: true }, [TRACKING]: { enabled: true, failsToStop: true } });
    const parts = await powerOn(root);
    const slotBefore = readFileSync(parts.layout.slotImage('B'));
    await expect(parts.installer.install(bundle)).rejects.toMatchObject({
      code: 'UPDATE_SERVICE_STOP_FAILED',
      message: expect.stringContaining(`${TRACKING} would not stop`),
    });
    expect(readFileSync(parts.layout.slotImage('B')).equals(slotBefore)).toBe(true);
    expect(await parts.services.states()).toEqual({ [INSPECTOR]: 'active', [TRACKING]: 'active' });
    expect(journal(root)).toMatchObject({ state: { step: 'failed', code: 'UPDATE_SERVICE_STOP_FAILED' } });
    expect(parts.log).toEqual(
      expect.arrayContaining([`stopped ${INSPECTOR} for the install of 1.1.0`, `started ${INSPECTOR} again after writing slot B`]),
    );
  });

  it('a power cut between the stop and the start: the services run at the next boot, and the resumed write stops them again', async () => {
    const root = await device();
    let cut = true;
    const first = await powerOn(root, () => {
      if (cut) throw new PowerCut();
    });
    await expect(first.installer.install(bundle)).rejects.toBeInstanceOf(PowerCut);
    // Cut mid-write: the stopped services are recorded stopped, as the journal says.
    expect(await first.services.states()).toMatchObject({ [INSPECTOR]: 'inactive', [TRACKING]: 'inactive' });
    expect(journal(root)).toMatchObject({ state: { step: 'write' }, services: { units: [INSPECTOR, TRACKING], restarted: false } });
    cut = false;
    const seen: Record<string, string>[] = [];
    const services = new SimulatedServiceControl(first.layout.serviceUnits, first.layout.serviceStates);
    const second = await powerOn(root, async () => void seen.push(await services.states()));
    // The boot resumed the install: its write ran with the services stopped again...
    expect(second.outcome).toBe('resumed');
    expect(seen.length).toBeGreaterThan(0);
    for (const states of seen) expect(states).toMatchObject({ [INSPECTOR]: 'inactive', [TRACKING]: 'inactive' });
    // ...and they run now.
    expect(await second.services.states()).toEqual({ [INSPECTOR]: 'active', [TRACKING]: 'active', [SYNC]: 'active' });
    expect(journal(root)).toMatchObject({ state: { step: 'await-reboot' }, services: { restarted: true } });
  });

  it('the next power-on starts every enabled unit, whatever the install left stopped (the run state is volatile)', async () => {
    const root = await device();
    const first = await powerOn(root, () => {
      throw new PowerCut();
    });
    await expect(first.installer.install(bundle)).rejects.toBeInstanceOf(PowerCut);
    expect(await first.services.states()).toMatchObject({ [INSPECTOR]: 'inactive' });
    // The firmware alone, before the system resumes anything.
    await new SimulatedFirmware(first.layout).powerOn();
    expect(await first.services.states()).toEqual({ [INSPECTOR]: 'active', [TRACKING]: 'active', [SYNC]: 'active' });
  });

  it('a unit that fails to start at the trial boot fails the trial: not committed, and once its tries run out the old slot is back', async () => {
    const root = await device();
    const parts = await powerOn(root);
    await parts.installer.install(bundle);
    // The new system breaks the tracking unit: it fails at every boot from now on.
    const units = JSON.parse(readFileSync(parts.layout.serviceUnits, 'utf8')) as Record<string, SimulatedUnit>;
    writeFileSync(parts.layout.serviceUnits, JSON.stringify({ ...units, [TRACKING]: { enabled: true, failsAtBoot: true } }));
    const trial = await powerOn(root);
    expect(trial.boot.bootedSystemFacts().slot).toBe('B');
    expect(trial.outcome).toBe('trial-failed');
    expect(trial.log).toContain(`trial boot of 1.1.0 is not healthy (not running: ${TRACKING}): not committing`);
    expect(journal(root).state.step).toBe('await-reboot');
    const outcomes: string[] = [];
    let next = trial;
    for (let boots = 0; boots < 5 && next.outcome === 'trial-failed'; boots++) {
      next = await powerOn(root);
      outcomes.push(next.outcome);
    }
    expect(outcomes.at(-1)).toBe('rolled-back');
    expect(next.boot.bootedSystemFacts().slot).toBe('A');
    expect(journal(root).state.step).toBe('rolled-back');
    // The old slot stays: the next boot is A again, with no update left to judge.
    const after = await powerOn(root);
    expect(after.boot.bootedSystemFacts().slot).toBe('A');
    expect(after.outcome).toBe('none');
  });
});
