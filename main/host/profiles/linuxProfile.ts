import { DEFAULT_ALERT_THRESHOLDS } from '../../../src/alerts/thresholds.js';
import { readFile } from 'node:fs/promises';
import { StatfsBootPartition } from '../../services/boot/BootPartitionSpace.js';
import { GrubEnvironmentFile } from '../../services/boot/GrubEnvironmentFile.js';
import { KernelCommandLine } from '../../services/boot/KernelCommandLine.js';
import type { BootEnvironmentStore } from '../../services/boot/ports.js';
import { SlotRecordFile } from '../../services/boot/SlotRecordFile.js';
import { UBootEnvironmentFile, parseFwEnvConfig } from '../../services/boot/UBootEnvironmentFile.js';
import { GpsdReceiver } from '../../services/gps/GpsdReceiver.js';
import { SystemBattery } from '../../services/health/SystemBattery.js';
import { SystemTemperatureSensor } from '../../services/health/SystemTemperatureSensor.js';
import { DmiProductUuid } from '../../services/identity/DmiProductUuid.js';
import { readSerialNumber } from '../../services/identity/SerialNumber.js';
import { MountedRemovableMedium } from '../../services/logging/ExportMedium.js';
import { GpioValueFile } from '../../services/mode/GpioValueFile.js';
import { hotspotName } from '../../../src/network/ssid.js';
import { NmcliNetworkManager } from '../../services/network/NmcliNetworkManager.js';
import { NmcliRunner } from '../../services/network/NmcliRunner.js';
import { LatchValueFile } from '../../services/network/SimulatedNetworkManager.js';
import type { DevicePower } from '../../services/platform/PowerControl.js';
import { SystemdPowerControl } from '../../services/platform/SystemdPowerControl.js';
import { SystemdServiceControl } from '../../services/platform/SystemdServiceControl.js';
import { LinuxSlotPartitions } from '../../services/update/LinuxSlotPartitions.js';
import { LinuxWatchdog } from '../../services/watchdog/LinuxWatchdog.js';
import { linuxPeripherals, loadLinuxHardwareMap } from '../../services/reset/hardware/LinuxPeripheralInterfaces.js';
import { allDeviceErases, crashDatabaseErase } from '../../services/userData/CrashDatabaseErase.js';
import { FscryptClassEraser, FscryptClassPolicies, LuksVolume, luksDeviceErase } from '../../services/userData/LinuxDataEncryption.js';
import type { SecretRedactor } from '../../../src/secrets/SecretRegistry.js';
import type { DeviceProfile } from './DeviceProfile.js';

/** Where native/udev/headset-recovery-button writes the button's level. */
export const LINUX_RECOVERY_BUTTON = '/dev/headset/recovery-button/value';
export const LINUX_LOG_DIR = '/var/log/headset';
/** Where native/udev writes the hotspot/client latch's level (`1`: hotspot). */
export const LINUX_NETWORK_LATCH = '/dev/headset/network-latch/value';
/** Where native/udev/headset-support-switch writes the support switch's level. */
export const LINUX_SUPPORT_SWITCH = '/dev/headset/support-switch/value';
const STATE_DIR = '/var/lib/headset';
/** The one systemctl headsetd runs units with (polkit allows it the image's headset-* units). */
const SYSTEMCTL = '/usr/bin/systemctl';

/**
 * Where a linux headset keeps things (DeviceProfile.paths). The image (native/image) makes /var the
 * LUKS2 data partition, so the user data and headsetd's state are its folder /var/lib/headset;
 * `headsetctl image check-root` checks every path here that is written lies on a writable mount.
 */
/** The board's declaration of which kernel interface is which peripheral (linuxHardwareMapSchema; docs/reset.md). */
export const LINUX_PERIPHERALS_FILE = '/etc/headset/peripherals.json';

export const LINUX_PATHS: DeviceProfile['paths'] = {
  dataPartition: STATE_DIR,
  persistPartition: '/persist',
  stateDir: STATE_DIR,
  logDir: LINUX_LOG_DIR,
  crashesDir: `${STATE_DIR}/crashes`,
  healthDir: STATE_DIR,
  trustDir: '/etc/headset/trust',
  identityDir: '/persist/identity',
  // Crashpad's finished dumps as headset-crashdumps-handoff.service hands them over (its own are owner-only).
  minidumpDir: '/var/lib/headset-ui/crashdumps-shared',
  socket: '/run/headsetd/headsetd.sock',
  supportRunDir: '/run/headset-support',
};
/** GRUB's environment block, which headsetd writes (the boot counters, the slot order). */
export const LINUX_GRUB_ENVIRONMENT = '/boot/grub/grubenv';

/**
 * A real headset: GPT-labelled slot partitions, the bootloader's environment, sysfs sensors, gpsd,
 * systemd, the hardware watchdog. Refuses a machine our boot script did not start.
 */
export async function openLinuxProfile(options: { bootloader?: 'grub' | 'uboot'; secrets?: SecretRedactor }): Promise<DeviceProfile> {
  const cmdline = await readFile('/proc/cmdline', 'utf8');
  if (!/(^|\s)headset\.slot=[AB](\s|$)/.test(cmdline)) {
    throw new Error(
      'This system was not started by the Headset Control boot script (no headset.slot=A|B on the kernel command line). ' +
        'Install native/grub/grub.cfg or native/uboot/boot.cmd, or use --device simulated.',
    );
  }
  const { store: environment, bootloader } = await linuxBootEnvironment(options.bootloader);
  const model = (
    await readFile('/sys/firmware/devicetree/base/model', 'utf8').catch(() =>
      readFile('/sys/class/dmi/id/product_name', 'utf8').catch(() => 'unknown'),
    )
  )
    .replace(/\0/g, '')
    .trim();
  const hardwareWatchdog = await LinuxWatchdog.open();
  const serial = await readSerialNumber(['/sys/firmware/devicetree/base/serial-number', '/sys/class/dmi/id/product_serial']);
  // The board's peripherals as its image declares them (IIO, LED, backlight, ALSA, the GPS's tty); none declared: no hardware reset.
  const board = await loadLinuxHardwareMap(LINUX_PERIPHERALS_FILE);
  return {
    kind: 'linux',
    description: 'linux device',
    model,
    serial,
    paths: LINUX_PATHS,
    boot: { environment, commandLine: new KernelCommandLine(), slotRecords: new SlotRecordFile(`${STATE_DIR}/slots.json`), bootloader },
    // The recovery button at power-on, as native/udev's rule wrote it: the logical level ("1" held;
    // the rule inverts the active-low line), so a missing file (no rule, no line) reads as not held.
    recoveryButton: new GpioValueFile(LINUX_RECOVERY_BUTTON),
    supportSwitch: gpioSwitch(LINUX_SUPPORT_SWITCH),
    supportViewUnit: { systemctlPath: SYSTEMCTL },
    hardwareId: new DmiProductUuid(),
    sensors: { temperature: new SystemTemperatureSensor(), battery: new SystemBattery(), gps: new GpsdReceiver() },
    update: {
      partitions: await LinuxSlotPartitions.discover(),
      bootSpace: new StatfsBootPartition('/boot', bootloader),
      // The image lists what it was built with; the bootloader's own version, where it tells the kernel, wins.
      components: {
        files: ['/etc/headset/components.json'],
        live: [{ name: 'bootloader', path: '/sys/firmware/devicetree/base/chosen/u-boot,version' }],
      },
    },
    power: rebootingPower(new SystemdPowerControl()),
    // NetworkManager through nmcli (its keyfiles under the data partition's network/ folder:
    // native/NetworkManager/headset.conf); the latch as native/udev writes its GPIO line.
    network: {
      backend: new NmcliNetworkManager(new NmcliRunner({ secrets: options.secrets })),
      latch: new LatchValueFile(LINUX_NETWORK_LATCH),
      hotspotSsid: hotspotName(serial),
    },
    services: new SystemdServiceControl(),
    watchdog: hardwareWatchdog ? { device: hardwareWatchdog, petEveryMs: 5000 } : undefined,
    exportMedium: new MountedRemovableMedium(),
    // Beyond the classes: Crashpad's own database, the UI account's (a wipe of the logs class starts
    // headset-crashdumps-erase.service to empty it); and the LUKS2 data partition, by its GPT label (the
    // image's partitioning names it `data`): a factory reset erases its keyslots and drops the
    // first-boot marker, so the next boot makes it anew. The database first: the keyslots' erase is last.
    userData: {
      deviceErase: allDeviceErases(
        crashDatabaseErase({ systemctlPath: SYSTEMCTL }),
        luksDeviceErase(new LuksVolume('/dev/disk/by-partlabel/data'), { firstBootMarker: '/persist/data-partition.json' }),
      ),
      // Each class through its fscrypt policy on the partition (mounted at /var): the kernel forgets its key at once.
      classEraser: (keys, roots) => new FscryptClassEraser(new FscryptClassPolicies('/var', keys), keys, roots),
    },
    alerts: DEFAULT_ALERT_THRESHOLDS,
    hardware: board && linuxPeripherals(board),
  };
}

/** A switch read like the recovery button ("1": on). */
function gpioSwitch(path: string) {
  const line = new GpioValueFile(path);
  return { isOn: () => line.isHeld() };
}

/** A real reboot or power-off ends this process: no power-cycle step ever runs here (the next start is the power-on). */
function rebootingPower(control: SystemdPowerControl): DevicePower {
  return { reboot: () => control.reboot(), powerOff: () => control.powerOff(), onPowerCycle: () => undefined };
}

/**
 * The bootloader environment: `--boot` when given, else the one this machine has, GRUB's
 * /boot/grub/grubenv or U-Boot's environment as /etc/fw_env.config describes it.
 */
async function linuxBootEnvironment(given: 'grub' | 'uboot' | undefined): Promise<{ store: BootEnvironmentStore; bootloader: 'grub' | 'uboot' }> {
  const exists = (path: string) =>
    readFile(path).then(
      () => true,
      () => false,
    );
  const kind = given ?? ((await exists(LINUX_GRUB_ENVIRONMENT)) ? 'grub' : (await exists('/etc/fw_env.config')) ? 'uboot' : undefined);
  if (kind === 'grub') return { store: new GrubEnvironmentFile(LINUX_GRUB_ENVIRONMENT), bootloader: kind };
  if (kind === 'uboot') return { store: new UBootEnvironmentFile(parseFwEnvConfig(await readFile('/etc/fw_env.config', 'utf8'))), bootloader: kind };
  throw new Error('No bootloader environment found: neither /boot/grub/grubenv (GRUB) nor /etc/fw_env.config (U-Boot). Give --boot grub|uboot.');
}
