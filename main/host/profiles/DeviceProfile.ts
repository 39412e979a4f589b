import type { ImuSource, Peripheral } from '../../services/reset/hardware/ports.js';
import type { AlertThresholds } from '../../../src/alerts/thresholds.js';
import type { BootPartitionSpace } from '../../services/boot/BootPartitionSpace.js';
import type { BootEnvironmentStore, BootedSystemSource, SlotRecordStore } from '../../services/boot/ports.js';
import type { GpsReceiver } from '../../services/gps/ports.js';
import type { BatterySensor, TemperatureSensor } from '../../services/health/ports.js';
import type { HardwareIdSource } from '../../services/identity/ports.js';
import type { ExportMedium } from '../../services/logging/ExportMedium.js';
import type { RecoveryButton } from '../../services/mode/ports.js';
import type { ModeLatch, NetworkBackend } from '../../services/network/ports.js';
import type { DevicePower } from '../../services/platform/PowerControl.js';
import type { ServiceControl } from '../../services/platform/ServiceControl.js';
import type { SupportSwitch } from '../../services/support/ports.js';
import type { ClassKeys } from '../../services/userData/ClassKeys.js';
import type { DeviceErase } from '../../services/userData/CrashDatabaseErase.js';
import type { ClassKeyEraser } from '../../services/userData/SecureWipe.js';
import type { UserDataRoots } from '../../services/userData/userDataClasses.js';
import type { ComponentSources } from '../../services/update/ComponentRegistry.js';
import type { DataSnapshots } from '../../services/update/DataSnapshots.js';
import type { SlotPartitions } from '../../services/update/ports.js';
import type { WatchdogDevice } from '../../services/watchdog/ports.js';

/**
 * What one kind of device (the simulated headset, a Linux headset) supplies: adapters and paths,
 * nothing else. The wiring (wiring.ts) builds every capability from it the same way for each kind.
 */
export interface DeviceProfile {
  kind: 'simulated' | 'linux';
  /** One line for the log: which device this is. */
  description: string;
  model: string;
  /** The serial number on the headset's label; null where the hardware carries none. */
  serial: string | null;
  paths: {
    /** The user data partition (encrypted: per-class keys, main/services/userData/); every file on it belongs to a declared class. */
    dataPartition: string;
    /** The partition no reset touches: identity, calibration, the reset journal and sanitization records. */
    persistPartition: string;
    /** headsetd's own state (not user data: a rollback never rewinds it). */
    stateDir: string;
    logDir: string;
    crashesDir: string;
    /** Where the health sampler keeps what it measures between snapshots. */
    healthDir: string;
    /** The vendor's bundle-signing keys and the update repository's first root. */
    trustDir: string;
    identityDir: string;
    /** Electron's crash dumps (Crashpad's database), read by telemetry. */
    minidumpDir: string;
    /** The API's Unix socket (headsetd listens there unless told otherwise). */
    socket: string;
    /** Remote support's session folder and sftp view: root-owned up to `/`, as sshd's chroot demands (so under /run). */
    supportRunDir: string;
  };
  boot: {
    environment: BootEnvironmentStore;
    commandLine: BootedSystemSource;
    slotRecords: SlotRecordStore;
    bootloader: 'grub' | 'uboot';
  };
  recoveryButton: RecoveryButton;
  /** The physical remote-support switch (docs/support.md), where the device has one. */
  supportSwitch?: SupportSwitch;
  /**
   * The support view's sshd as a systemd unit (headset-support-view@.service), so headsetd needs no root;
   * without it (the simulated headset) headsetd starts that sshd itself.
   */
  supportViewUnit?: { systemctlPath: string };
  hardwareId: HardwareIdSource;
  sensors: { temperature: TemperatureSensor; battery: BatterySensor; gps: GpsReceiver };
  update: {
    partitions: SlotPartitions;
    bootSpace: BootPartitionSpace;
    components: ComponentSources;
    /** The wearer's data, snapshot before an install and given back on rollback (where the profile keeps it apart). */
    snapshots?: DataSnapshots;
  };
  power: DevicePower;
  /**
   * The network stack (nmcli, the simulated NetworkManager) and the hotspot/client latch: the
   * network capability provisions through it and publishes the online state the others read.
   */
  network: { backend: NetworkBackend; latch: ModeLatch; hotspotSsid: string };
  services: ServiceControl;
  /** The hardware watchdog, where there is one, and how often to pet it. */
  watchdog?: { device: WatchdogDevice; petEveryMs: number };
  /** Where logs are exported: the wearer's USB stick. */
  exportMedium: ExportMedium;
  /** The wipe's erasure beyond the classes' files (linux: Crashpad's database through its unit, LUKS2 keyslots on decommissioning). */
  userData?: {
    deviceErase?: DeviceErase;
    /** How a wipe destroys a class's key (linux: its fscrypt policy); without it, the class key file. */
    classEraser?: (keys: ClassKeys, roots: UserDataRoots) => ClassKeyEraser;
  };
  /** The peripherals a hardware reset brings up and the IMU it recalibrates (simulated: files under the device's folder). */
  hardware?: { peripherals: Peripheral[]; imu: ImuSource };
  /** Where heat, battery, storage and crash loops become alerts, and where they clear. */
  alerts: AlertThresholds;
}
