import { join } from 'node:path';

/**
 * Where the simulated headset keeps each part of the machine it simulates, under one root folder.
 * Each folder stands for a partition or a kernel interface of the real device.
 */
export class SimulatedDeviceLayout {
  constructor(readonly root: string) {}

  /** Device description written at manufacture (model, slot size). */
  get deviceFile() {
    return join(this.root, 'device.json');
  }
  /** The boot partition: GRUB's environment block. */
  get grubEnv() {
    return join(this.root, 'boot', 'grubenv');
  }
  /** The boot partition of a U-Boot board: the environment's two redundant copies, and the
   * fw_env.config that tells fw_printenv/fw_setenv where they are. */
  ubootEnvCopy(copy: 0 | 1) {
    return join(this.root, 'boot', copy === 0 ? 'uboot.env' : 'uboot-redund.env');
  }
  get fwEnvConfig() {
    return join(this.root, 'boot', 'fw_env.config');
  }
  /** The boot partition itself (shared by both slots). */
  get bootDir() {
    return join(this.root, 'boot');
  }
  /** A slot's boot files on it (kernel, initramfs, device tree as one FIT image), as on U-Boot boards. */
  bootImage(slot: 'A' | 'B') {
    return join(this.root, 'boot', slot, 'boot.img');
  }
  /** The two root file system slots. */
  slotImage(slot: 'A' | 'B') {
    return join(this.root, 'slots', `${slot}.img`);
  }
  /** Firmware facts, like /sys/class/dmi/id. */
  get productUuid() {
    return join(this.root, 'hardware', 'product_uuid');
  }
  /** The serial number on the label, like /sys/class/dmi/id/product_serial. */
  get productSerial() {
    return join(this.root, 'hardware', 'product_serial');
  }
  /** The partition a factory reset never touches: identity, calibration, reset records. */
  get persistDir() {
    return join(this.root, 'persist');
  }
  get identityDir() {
    return join(this.root, 'persist', 'identity');
  }
  get calibrationDir() {
    return join(this.root, 'persist', 'calibration');
  }
  /** The versions of the components flashed at the factory (bootloader, MCU and display firmware). */
  get componentsFile() {
    return join(this.root, 'persist', 'components.json');
  }
  /** The simulated systemd's unit table (what is enabled, what fails) and its volatile run state. */
  get serviceUnits() {
    return join(this.root, 'persist', 'services.json');
  }
  get serviceStates() {
    return join(this.root, 'run', 'services.json');
  }
  /** The vendor's bundle-signing public keys the device trusts (`*.pub`). */
  get trustDir() {
    return join(this.root, 'persist', 'trust');
  }
  /** The user data partition (what a factory reset wipes). */
  get dataDir() {
    return join(this.root, 'data');
  }
  /** Electron's crash dumps (Crashpad's database; the UI's `--crash-dumps`), read by headsetd's telemetry. */
  get crashDumpsDir() {
    return join(this.root, 'data', 'crashdumps');
  }
  /** headsetd's own state on the data partition. */
  get stateDir() {
    return join(this.root, 'data', 'headsetd');
  }
  /** Volatile per-boot files, like /run and /proc. */
  get runDir() {
    return join(this.root, 'run');
  }
  get cmdline() {
    return join(this.root, 'run', 'cmdline');
  }
  get bootId() {
    return join(this.root, 'run', 'boot_id');
  }
  get socket() {
    return join(this.root, 'run', 'headsetd.sock');
  }
  /** The watchdog chip's last pet. */
  get watchdogState() {
    return join(this.root, 'run', 'watchdog');
  }
  /** The recovery button's GPIO line: "1" while held. */
  get recoveryButton() {
    return join(this.root, 'gpio', 'recovery-button', 'value');
  }
  /** The network's state for downloads: `online`, `metered` or `offline`. */
  get networkState() {
    return join(this.root, 'network', 'state');
  }
  /** What is on the simulated air: the Wi-Fi networks in reach (JSON: ssid, signal, security, password, metered, hidden). */
  get networkAir() {
    return join(this.root, 'network', 'air.json');
  }
  /** The hotspot/client latch's GPIO line: "1" hotspot, "0" client; read at every boot. */
  get networkLatch() {
    return join(this.root, 'gpio', 'network-latch', 'value');
  }
  /** Sensors, in the units Linux's sysfs uses. */
  get thermalZone() {
    return join(this.root, 'sensors', 'thermal_zone0', 'temp');
  }
  /** The battery, like /sys/class/power_supply/BAT0 (`capacity` in %, `status`, `charge_now`). */
  get batteryDir() {
    return join(this.root, 'power_supply', 'BAT0');
  }
  /** The charger, like /sys/class/power_supply/AC/online: write 1 to plug the headset in, 0 to unplug. */
  get chargerOnline() {
    return join(this.root, 'power_supply', 'AC', 'online');
  }
  /** The GPS receiver's sky: `open` (default), `urban` (fewer satellites) or `indoor` (no fix). */
  get gpsSky() {
    return join(this.root, 'gps', 'sky');
  }
  /** The GPS receiver's almanac and last fix (kept across power cycles, like a receiver's backup RAM). */
  get gpsBackup() {
    return join(this.root, 'gps', 'backup.json');
  }
  /** A drive on a synthetic circuit (JSON: circuit, laps, rate, noise...; see SimulatedDrive): absent, the fix walks about home. */
  get gpsDrive() {
    return join(this.root, 'gps', 'drive.json');
  }
  /** A USB stick: present while this folder exists (`mkdir` plugs it in); log exports land here. */
  get usbStick() {
    return join(this.root, 'usb');
  }
}
