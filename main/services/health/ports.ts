/** A temperature reading in °C, or null where the hardware has no sensor. */
export interface TemperatureSensor {
  readCelsius(cpuLoadPercent: number): Promise<number | null>;
}
