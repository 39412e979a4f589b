import { SimulatedImu, simulatedPeripherals } from '../../services/reset/hardware/SimulatedPeripherals.js';
import { DEFAULT_ALERT_THRESHOLDS } from '../../../src/alerts/thresholds.js';
import { createHash } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { KernelCommandLine } from '../../services/boot/KernelCommandLine.js';
import { SlotRecordFile } from '../../services/boot/SlotRecordFile.js';
import { SimulatedBootPartition } from '../../services/device/SimulatedBootPartition.js';
import { SimulatedDeviceLayout } from '../../services/device/SimulatedDeviceLayout.js';
import { DEFAULT_BOOT_PARTITION_SIZE, SimulatedFirmware, type SimulatedBootloader } from '../../services/device/SimulatedFirmware.js';
import { SimulatedPowerCycle } from '../../services/device/SimulatedPowerCycle.js';
import { SimulatedSlotPartitions } from '../../services/device/SimulatedSlotPartitions.js';
import { SimulatedGpsReceiver } from '../../services/gps/SimulatedGpsReceiver.js';
import { SimulatedBattery } from '../../services/health/SimulatedBattery.js';
import { SimulatedThermalZone } from '../../services/health/SimulatedThermalZone.js';
import { DmiProductUuid } from '../../services/identity/DmiProductUuid.js';
import { readSerialNumber } from '../../services/identity/SerialNumber.js';
import { SimulatedUsbStick } from '../../services/logging/ExportMedium.js';
import type { Logger } from '../../services/logging/Logger.js';
import { GpioValueFile } from '../../services/mode/GpioValueFile.js';
import { hotspotName } from '../../../src/network/ssid.js';
import { LatchValueFile, SimulatedNetworkManager } from '../../services/network/SimulatedNetworkManager.js';
import { SimulatedServiceControl } from '../../services/platform/SimulatedServiceControl.js';
import { DataSnapshots } from '../../services/update/DataSnapshots.js';
import { SimulatedWatchdog } from '../../services/watchdog/SimulatedWatchdog.js';
import { CLASS_KEYS_FOLDER } from '../../services/userData/userDataClasses.js';
import type { DeviceProfile } from './DeviceProfile.js';

export interface SimulatedProfileOptions {
  /** The simulated device's folder, made on first run. */
  root: string;
  /** The system version the factory installs in slot A. */
  factoryVersion: string;
  /** The bootloader, chosen when the device is made (default grub). */
  bootloader?: SimulatedBootloader;
  /** The simulated watchdog chip's timeout (default 30 s). */
  watchdogTimeoutMs?: number;
  /** What "off" is: headsetd's orderly stop (default: nothing past the capabilities' power-down steps). */
  switchOff?: () => void | Promise<void>;
}

/** The simulated headset keeps its logs on its data partition. */
export function simulatedLogDir(root: string): string {
  return join(new SimulatedDeviceLayout(resolve(root)).dataDir, 'logs');
}

/**
 * The simulated headset (every part of it a file under one folder): made on first run, powered on
 * (the firmware selects a slot, the watchdog is armed), and its adapters handed to the wiring.
 */
export async function openSimulatedProfile(options: SimulatedProfileOptions, logger: Logger): Promise<DeviceProfile> {
  const layout = new SimulatedDeviceLayout(resolve(options.root));
  const firmware = new SimulatedFirmware(layout);
  const created = await firmware.manufacture({ factoryVersion: options.factoryVersion, bootloader: options.bootloader });
  const description = await firmware.description();
  const bootloader = description.bootloader ?? 'grub';
  const bootPartitionBytes = description.bootPartitionBytes ?? DEFAULT_BOOT_PARTITION_SIZE;
  const watchdogTimeoutMs = options.watchdogTimeoutMs ?? 30_000;
  const watchdog = new SimulatedWatchdog(watchdogTimeoutMs, layout.watchdogState);
  const system = logger.for('system');
  // A power-on: the firmware chooses the slot, then arms the watchdog before the system runs.
  const powerOn = async () => {
    await firmware.powerOn();
    watchdog.arm();
  };
  const power = new SimulatedPowerCycle(powerOn, system, options.switchOff);
  watchdog.onExpire(() => {
    system.warn('watchdog expired: power cycle');
    void power.reboot();
  });
  // This process start is a power-on too.
  await powerOn();
  const serial = await readSerialNumber([layout.productSerial]);
  return {
    kind: 'simulated',
    description: `simulated ${created ? 'new ' : ''}device at ${layout.root}`,
    model: description.model,
    serial,
    paths: {
      dataPartition: layout.dataDir,
      persistPartition: layout.persistDir,
      stateDir: layout.stateDir,
      logDir: simulatedLogDir(layout.root),
      crashesDir: join(layout.dataDir, 'crashes'),
      healthDir: layout.dataDir,
      trustDir: layout.trustDir,
      identityDir: layout.identityDir,
      minidumpDir: layout.crashDumpsDir,
      socket: layout.socket,
      // Not under the device's folder: sshd chroots only into folders root-owned all the way up (/tmp is not).
      supportRunDir: join('/run/headset-support', `sim-${createHash('sha256').update(layout.root).digest('hex').slice(0, 12)}`),
    },
    boot: {
      environment: await firmware.bootEnvironment(),
      commandLine: new KernelCommandLine(layout.cmdline, layout.bootId),
      slotRecords: new SlotRecordFile(firmware.slotRecordsPath()),
      bootloader,
    },
    recoveryButton: new GpioValueFile(layout.recoveryButton),
    hardware: { peripherals: simulatedPeripherals(layout.root), imu: new SimulatedImu(layout.root) },
    supportSwitch: ((line) => ({ isOn: () => line.isHeld() }))(new GpioValueFile(join(layout.root, 'gpio', 'support-switch', 'value'))),
    hardwareId: new DmiProductUuid(layout.productUuid),
    sensors: {
      temperature: new SimulatedThermalZone(layout.thermalZone),
      battery: new SimulatedBattery(layout.batteryDir, layout.chargerOnline),
      gps: new SimulatedGpsReceiver({ sky: layout.gpsSky, backup: layout.gpsBackup, drive: layout.gpsDrive }),
    },
    update: {
      partitions: new SimulatedSlotPartitions(layout, description.slotSizeBytes, bootPartitionBytes),
      bootSpace: new SimulatedBootPartition(layout, bootPartitionBytes, bootloader),
      components: { files: [layout.componentsFile] },
      // headsetd's own state and the logs are not user data: a rollback must not rewind them. The class
      // keys are never copied: a snapshot of an encrypted class is erased with its key.
      snapshots: new DataSnapshots(layout.dataDir, join(layout.stateDir, 'snapshots'), [
        basename(layout.stateDir),
        'logs',
        'crashes',
        CLASS_KEYS_FOLDER,
      ]),
    },
    power,
    // The cable (network/state) stays an input, as Ethernet's uplink; Wi-Fi joins on the simulated air.
    network: {
      backend: new SimulatedNetworkManager({ air: layout.networkAir, wired: layout.networkState, savedDir: join(layout.dataDir, 'network') }),
      latch: new LatchValueFile(layout.networkLatch),
      hotspotSsid: hotspotName(serial),
    },
    services: new SimulatedServiceControl(layout.serviceUnits, layout.serviceStates),
    watchdog: { device: watchdog, petEveryMs: Math.min(5000, watchdogTimeoutMs / 3) },
    exportMedium: new SimulatedUsbStick(layout.usbStick),
    // The simulated headset warns where a real one does.
    alerts: DEFAULT_ALERT_THRESHOLDS,
  };
}
