import { randomBytes } from 'node:crypto';
import { closeSync, cpSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGrubEnv, encodeGrubEnv } from '../../src/boot/grubEnvCodec.js';
import type { TrustedKey } from '../../src/update/verify.js';
import { createBundle } from '../operator/bundles/BundleWriter.js';
import { generateKeys, loadSigningKey } from '../operator/keys/signingKeys.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { SimulatedFirmware } from '../services/device/SimulatedFirmware.js';
import { bootSystem } from '../services/update/bootSequence.js';
import { isFinished } from '../services/update/InstallJournal.js';
import { hashSlotPrefix } from '../services/update/SlotWriter.js';
import { loadTrustedKey } from '../services/update/trustedKeys.js';
import { CutSwitch, PowerCut, powerCutServices, readInstallJournal } from '../../test-support/host/powerCutRig.js';

// A power cut at every persistent step of a recovery install (each journal and boot-environment
// write, and inside the slot write), on a headset whose slot A is damaged and spent its tries: the
// recovery system installs 1.2.0 into slot B through the update Installer (recoveryFloor). After
// the cut the headset is powered on until it settles. Every power-on must start something: the
// recovery system (its own partition), or a slot whose bytes are exactly what its record says;
// a cut before the install's first journal entry leaves recovery as it was; any later one is
// resumed by the recovery system's next start, and ends running 1.2.0 from B.

const SLOT_SIZE = 2 * 1024 * 1024;
const IMAGE_LENGTH = 1024 * 1024 + 777;

let work: string;
let template: string;
let bundle: string;
let trusted: TrustedKey[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'recovery-powercut-'));
  await generateKeys(join(work, 'keys'), ['bundle']);
  trusted = [await loadTrustedKey(join(work, 'keys', 'bundle.pub'))];
  writeFileSync(join(work, 'rootfs.img'), Buffer.concat([Buffer.from('HEADSET-OS 1.2.0\n'), randomBytes(IMAGE_LENGTH - 17)]));
  bundle = join(work, 'headset-1.2.0.hcb');
  await createBundle({
    version: '1.2.0',
    compatible: 'HC-1-simulated',
    images: [{ name: 'rootfs', path: join(work, 'rootfs.img') }],
    key: await loadSigningKey(join(work, 'keys', 'bundle.key')),
    out: bundle,
  });
  // A headset at 1.0.0, booted once, then slot A damaged and out of tries: it starts in recovery.
  template = join(work, 'template');
  const layout = new SimulatedDeviceLayout(template);
  await new SimulatedFirmware(layout).manufacture({ factoryVersion: '1.0.0', slotSizeBytes: SLOT_SIZE });
  await powerOn(template, new CutSwitch());
  const fd = openSync(layout.slotImage('A'), 'r+');
  writeSync(fd, Buffer.from('DAMAGED!'), 0, 8, 100);
  closeSync(fd);
  const variables = decodeGrubEnv(readFileSync(layout.grubEnv));
  variables.set('A_LEFT', '0');
  writeFileSync(layout.grubEnv, encodeGrubEnv(variables));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function services(root: string, cut: CutSwitch) {
  return powerCutServices(root, cut, {
    trusted,
    slotSizeBytes: SLOT_SIZE,
    afterChunk: (bytes, path) => {
      if (cut.fired || cut.atByte === undefined || bytes < cut.atByte) return;
      const fd = openSync(path, 'r+');
      writeSync(fd, randomBytes(Math.min(bytes - cut.atByte, 64 * 1024)), 0, undefined, cut.atByte);
      closeSync(fd);
      cut.fire();
    },
  });
}

/** A power-on: the firmware decides (slot or recovery), the system boots as headsetd's does. */
async function powerOn(root: string, cut: CutSwitch) {
  cut.powerOn();
  const parts = services(root, cut);
  const decision = await parts.firmware.powerOn();
  const outcome = await bootSystem(parts);
  return { ...parts, decision, outcome };
}

async function scenario(cut: CutSwitch): Promise<{ trail: string[]; final: 'recovery' | string }> {
  const root = mkdtempSync(join(work, 'device-'));
  cpSync(template, root, { recursive: true });
  const context = cut.describe();
  const trail: string[] = [];
  const first = await powerOn(root, new CutSwitch());
  expect(first.decision.recovery, context).toBe(true);
  // Staged beside the downloads, as SystemReinstall does (a commit keeps the bundle by moving it).
  const staged = join(root, 'staged-1.2.0.hcb');
  cpSync(bundle, staged);
  // The recovery system's services, the cut armed from here on.
  const installing = services(root, cut);
  await installing.boot.load();
  try {
    await installing.installer.install(staged, { recoveryFloor: true });
  } catch (error) {
    if (!(error instanceof PowerCut)) throw error;
  }
  let final = '';
  for (let boot = 0; boot < 8; boot++) {
    let booted;
    try {
      booted = await powerOn(root, cut);
    } catch (error) {
      if (!(error instanceof PowerCut)) throw error;
      trail.push('cut');
      continue;
    }
    const { decision } = booted;
    if (decision.recovery) {
      trail.push('recovery');
      final = 'recovery';
    } else {
      // Never a slot whose bytes are not what its record says.
      const record = (await booted.boot.slotRecordsStore().read())[decision.slot];
      expect(record, `${context}: slot ${decision.slot} booted without a record`).toBeDefined();
      expect(
        await hashSlotPrefix(new SimulatedDeviceLayout(root).slotImage(decision.slot), record!.image.length),
        `${context}: slot ${decision.slot}`,
      ).toBe(record!.image.sha256);
      trail.push(`${decision.slot}:${record!.version}:${booted.outcome}`);
      final = `${decision.slot}:${record!.version}`;
    }
    const journal = readInstallJournal(root);
    if (!journal || (isFinished(journal.state) && journal.reported !== false)) {
      if (final !== 'recovery') break;
    }
    if (final === 'recovery' && boot >= 2) break;
  }
  rmSync(root, { recursive: true, force: true });
  return { trail, final };
}

describe('power cuts during a recovery install', () => {
  it('with no cut, the install runs from recovery and the next power-on commits 1.2.0 in slot B', async () => {
    const { final } = await scenario(new CutSwitch());
    expect(final).toBe('B:1.2.0');
  });

  it('a cut before every persistent step, and inside the slot write, leaves a headset that starts every time (recovery, or a slot matching its record) and ends in recovery untouched or running 1.2.0 from slot B', async () => {
    const outcomes = new Set<string>();
    let resumedInRecovery = 0;
    for (let at = 0; at < 60; at++) {
      const cut = new CutSwitch(at);
      const { trail, final } = await scenario(cut);
      expect(['recovery', 'B:1.2.0'], `${cut.describe()}: ${trail.join(' → ')}`).toContain(final);
      outcomes.add(final);
      if (trail[0] === 'recovery') resumedInRecovery++;
      // Cut before its first journal entry, the install never started: recovery again, to press again.
      // Any later cut is resumed by the recovery system's next start (the installer's journal).
      if (!cut.describe().includes('before journal mark-unbootable')) expect(final, `${cut.describe()}: ${trail.join(' → ')}`).toBe('B:1.2.0');
      if (!cut.fired) break;
    }
    for (const atByte of [0, 4096, 300_000, IMAGE_LENGTH - 1]) {
      const cut = new CutSwitch(undefined, atByte);
      const { trail, final } = await scenario(cut);
      expect(['recovery', 'B:1.2.0'], `cut at byte ${atByte}: ${trail.join(' → ')}`).toContain(final);
      outcomes.add(final);
    }
    expect([...outcomes].sort()).toEqual(['B:1.2.0', 'recovery']);
    expect(resumedInRecovery).toBeGreaterThan(1);
  }, 300_000);
});
