/** The peripherals a hardware reset brings up, in this order (000 §3.4). */
export const PERIPHERALS = ['imu', 'gps', 'leds', 'display', 'audio'] as const;
export type PeripheralId = (typeof PERIPHERALS)[number];

export const PERIPHERAL_TITLES: Record<PeripheralId, string> = {
  imu: 'Motion sensor (IMU)',
  gps: 'GPS receiver',
  leds: 'Status lights',
  display: 'Display',
  audio: 'Audio',
};

/** One peripheral as the hardware reset drives it: off and on again, initialized, then checked. */
export interface Peripheral {
  readonly id: PeripheralId;
  powerCycle(): Promise<void>;
  initialize(): Promise<void>;
  /** Reads the device back: `ok` only when it answers as a working one does. */
  verify(): Promise<{ ok: boolean; detail: string }>;
}

/** One IMU reading: acceleration in m/s², rotation rate in rad/s. */
export interface ImuSample {
  accel: [number, number, number];
  gyro: [number, number, number];
}

export interface ImuSource {
  read(count: number): Promise<ImuSample[]>;
}
