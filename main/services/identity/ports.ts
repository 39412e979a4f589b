/** A device id the hardware carries (DMI product UUID, device-tree serial), if it has one. */
export interface HardwareIdSource {
  read(): Promise<string | undefined>;
}
