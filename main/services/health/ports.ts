/** A temperature reading in °C, or null where the hardware has no sensor. */
export interface TemperatureSensor {
  readCelsius(cpuLoadPercent: number): Promise<number | null>;
}

export interface BatteryReading {
  percent: number;
  charging: boolean;
}

/** The battery's charge, or null where the device runs on mains only. */
export interface BatterySensor {
  read(cpuLoadPercent: number): Promise<BatteryReading | null>;
}

export interface GpsHealth {
  /** Time-to-lock of the last acquisition; null before the first lock. */
  timeToLockMs: number | null;
  locked: boolean;
  satellites: number;
}

/** What the GPS subsystem reports into each health snapshot (null: no receiver). */
export interface GpsHealthSource {
  health(): GpsHealth | null;
}
