import { join } from 'node:path';

/**
 * Where the simulated headset keeps each part of the machine it simulates, under one root folder.
 * Each folder stands for a partition or a kernel interface of the real device.
 */
export class SimulatedDeviceLayout {
  constructor(readonly root: string) {}

  /** Device description written at manufacture (model, slot size). */
  get deviceFile() { return join(this.root, 'device.json'); }
  /** The boot partition: GRUB's environment block. */
  get grubEnv() { return join(this.root, 'boot', 'grubenv'); }
  /** The two root file system slots. */
  slotImage(slot: 'A' | 'B') { return join(this.root, 'slots', `${slot}.img`); }
  /** Firmware facts, like /sys/class/dmi/id. */
  get productUuid() { return join(this.root, 'hardware', 'product_uuid'); }
  /** A partition the factory reset never touches: identity and calibration. */
  get identityDir() { return join(this.root, 'persist', 'identity'); }
  get calibrationDir() { return join(this.root, 'persist', 'calibration'); }
  /** The vendor's bundle-signing public keys the device trusts (`*.pub`). */
  get trustDir() { return join(this.root, 'persist', 'trust'); }
  /** The user data partition (what a factory reset wipes). */
  get dataDir() { return join(this.root, 'data'); }
  /** headsetd's own state on the data partition. */
  get stateDir() { return join(this.root, 'data', 'headsetd'); }
  /** Volatile per-boot files, like /run and /proc. */
  get runDir() { return join(this.root, 'run'); }
  get cmdline() { return join(this.root, 'run', 'cmdline'); }
  get bootId() { return join(this.root, 'run', 'boot_id'); }
  get socket() { return join(this.root, 'run', 'headsetd.sock'); }
  /** The watchdog chip's last pet. */
  get watchdogState() { return join(this.root, 'run', 'watchdog'); }
  /** The recovery button's GPIO line: "1" while held. */
  get recoveryButton() { return join(this.root, 'gpio', 'recovery-button', 'value'); }
  /** The network's state for downloads: `online`, `metered` or `offline`. */
  get networkState() { return join(this.root, 'network', 'state'); }
  /** Sensors, in the units Linux's sysfs uses. */
  get thermalZone() { return join(this.root, 'sensors', 'thermal_zone0', 'temp'); }
}
