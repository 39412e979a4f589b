import { constants } from 'node:fs';
import { open, readFile, readdir, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { join } from 'node:path';
import { LinuxPeripheral, type SysfsBinding } from './LinuxPeripheral.js';
import type { ImuSample, ImuSource, Peripheral, PeripheralId } from './ports.js';

/**
 * The linux headset's peripherals through the kernel's own interfaces, all of them files: the IMU as
 * an IIO device (`/sys/bus/iio/devices/iio:deviceN`, found by its `name`, since its number can change
 * when its driver binds again), the status light in the LED class, the display's backlight class, the
 * ALSA card (`/sys/class/sound/cardN/id`), the GPS's tty (its NMEA sentences read from `/dev/<tty>`).
 * The power cycle is the driver's unbind then bind (LinuxPeripheral) where the board declares one;
 * each kind then initializes its interface and verifies it answers as a working device does.
 * `sysfs` and `dev` are /sys and /dev on a headset, folders in tests.
 */
const name = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'a sysfs name (letters, digits, _ . : -)');
const binding = z.object({ bus: name, driver: name, device: name }).strict().optional();

/** The board's declaration (the image's /etc/headset/peripherals.json): which interface is which peripheral. */
export const linuxHardwareMapSchema = z
  .object({
    imu: z.object({ binding, iioName: name }).strict(),
    gps: z.object({ binding, tty: name }).strict(),
    leds: z.object({ binding, led: name }).strict(),
    display: z.object({ binding, backlight: name }).strict(),
    audio: z.object({ binding, cardId: name }).strict(),
  })
  .strict();
export type LinuxHardwareMap = z.infer<typeof linuxHardwareMapSchema>;

/** The board's map from its file; undefined when the image declares none (reset.hardware then answers NOT_SUPPORTED). */
export async function loadLinuxHardwareMap(path: string): Promise<LinuxHardwareMap | undefined> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  const parsed = linuxHardwareMapSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${path} does not declare the peripherals: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export interface LinuxRoots {
  sysfs: string;
  dev: string;
}

const readText = (path: string) => readFile(path, 'utf8').then((t) => t.trim());
const readNumber = async (path: string) => {
  const value = Number(await readText(path));
  if (!Number.isFinite(value)) throw new Error(`${path} holds no number`);
  return value;
};

/** The driver's unbind/bind where the board declares one; otherwise the interface's own off/on. */
abstract class InterfacePeripheral implements Peripheral {
  private readonly driver: LinuxPeripheral | undefined;

  constructor(
    readonly id: PeripheralId,
    binding: SysfsBinding | undefined,
    protected readonly roots: LinuxRoots,
  ) {
    this.driver = binding && new LinuxPeripheral(id, binding, roots.sysfs);
  }

  async powerCycle(): Promise<void> {
    if (this.driver) await this.driver.powerCycle();
    await this.off();
  }

  async initialize(): Promise<void> {
    if (this.driver) await this.driver.initialize();
    await this.on();
  }

  async verify(): Promise<{ ok: boolean; detail: string }> {
    if (this.driver) {
      const bound = await this.driver.verify();
      if (!bound.ok) return bound;
    }
    try {
      return await this.check();
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  protected async off(): Promise<void> {}
  protected async on(): Promise<void> {}
  protected abstract check(): Promise<{ ok: boolean; detail: string }>;
}

/** The IIO device named `name`, or undefined (not probed, or its driver unbound). */
export async function findIioDevice(sysfs: string, name: string): Promise<string | undefined> {
  const dir = join(sysfs, 'bus', 'iio', 'devices');
  for (const entry of (await readdir(dir).catch(() => [] as string[])).filter((e) => e.startsWith('iio:device')).sort())
    if ((await readText(join(dir, entry, 'name')).catch(() => '')) === name) return join(dir, entry);
  return undefined;
}

const AXES = ['x', 'y', 'z'] as const;

/** The IMU's IIO channels: `in_accel_{x,y,z}_raw` × `in_accel_scale` (m/s²) and `in_anglvel_*` (rad/s), as the IIO ABI defines them. */
export class IioImu implements ImuSource {
  constructor(
    private readonly sysfs: string,
    private readonly name: string,
  ) {}

  async read(count: number): Promise<ImuSample[]> {
    const dir = await findIioDevice(this.sysfs, this.name);
    if (!dir) throw new Error(`no IIO device named ${this.name}`);
    const accelScale = await readNumber(join(dir, 'in_accel_scale'));
    const gyroScale = await readNumber(join(dir, 'in_anglvel_scale'));
    const samples: ImuSample[] = [];
    for (let i = 0; i < count; i++) {
      const accel = (await Promise.all(AXES.map((a) => readNumber(join(dir, `in_accel_${a}_raw`))))).map((v) => v * accelScale);
      const gyro = (await Promise.all(AXES.map((a) => readNumber(join(dir, `in_anglvel_${a}_raw`))))).map((v) => v * gyroScale);
      samples.push({ accel: accel as ImuSample['accel'], gyro: gyro as ImuSample['gyro'] });
    }
    return samples;
  }
}

class IioImuPeripheral extends InterfacePeripheral {
  constructor(
    private readonly config: LinuxHardwareMap['imu'],
    roots: LinuxRoots,
  ) {
    super('imu', config.binding, roots);
  }

  protected async check() {
    const dir = await findIioDevice(this.roots.sysfs, this.config.iioName);
    if (!dir) return { ok: false, detail: `no IIO device named ${this.config.iioName}` };
    const [sample] = await new IioImu(this.roots.sysfs, this.config.iioName).read(1);
    // Still or not, a working IMU feels gravity: between 0.5 g and 1.5 g.
    const g = Math.hypot(...sample!.accel);
    return g > 4.9 && g < 14.7
      ? { ok: true, detail: `${this.config.iioName} answers (${g.toFixed(2)} m/s²)` }
      : { ok: false, detail: `${this.config.iioName} reads ${g.toFixed(2)} m/s², not gravity` };
  }
}

class LedPeripheral extends InterfacePeripheral {
  constructor(
    private readonly config: LinuxHardwareMap['leds'],
    roots: LinuxRoots,
  ) {
    super('leds', config.binding, roots);
  }

  private get dir() {
    return join(this.roots.sysfs, 'class', 'leds', this.config.led);
  }

  protected override async off() {
    await writeFile(join(this.dir, 'brightness'), '0');
  }

  protected override async on() {
    await writeFile(join(this.dir, 'brightness'), String(await readNumber(join(this.dir, 'max_brightness'))));
  }

  protected async check() {
    const max = await readNumber(join(this.dir, 'max_brightness'));
    const now = await readNumber(join(this.dir, 'brightness'));
    return now === max && max > 0
      ? { ok: true, detail: `${this.config.led} lit at ${now}/${max}` }
      : { ok: false, detail: `${this.config.led} reads ${now}/${max} after it was lit` };
  }
}

class BacklightPeripheral extends InterfacePeripheral {
  constructor(
    private readonly config: LinuxHardwareMap['display'],
    roots: LinuxRoots,
  ) {
    super('display', config.binding, roots);
  }

  private get dir() {
    return join(this.roots.sysfs, 'class', 'backlight', this.config.backlight);
  }

  // bl_power is the framebuffer blanking level: 0 unblanked (on), 4 powered down.
  protected override async off() {
    await writeFile(join(this.dir, 'bl_power'), '4');
  }

  protected override async on() {
    await writeFile(join(this.dir, 'bl_power'), '0');
    const max = await readNumber(join(this.dir, 'max_brightness'));
    await writeFile(join(this.dir, 'brightness'), String(Math.max(1, Math.round(max * 0.8))));
  }

  protected async check() {
    const power = await readNumber(join(this.dir, 'bl_power'));
    const set = await readNumber(join(this.dir, 'brightness'));
    const actual = await readNumber(join(this.dir, 'actual_brightness'));
    if (power !== 0) return { ok: false, detail: `${this.config.backlight} is blanked (bl_power ${power})` };
    return actual === set && actual > 0
      ? { ok: true, detail: `${this.config.backlight} at ${actual}` }
      : { ok: false, detail: `${this.config.backlight} set to ${set} but shows ${actual}` };
  }
}

class AlsaCardPeripheral extends InterfacePeripheral {
  constructor(
    private readonly config: LinuxHardwareMap['audio'],
    roots: LinuxRoots,
  ) {
    super('audio', config.binding, roots);
  }

  protected async check() {
    const dir = join(this.roots.sysfs, 'class', 'sound');
    for (const entry of (await readdir(dir).catch(() => [] as string[])).filter((e) => /^card\d+$/.test(e)))
      if ((await readText(join(dir, entry, 'id')).catch(() => '')) === this.config.cardId) {
        const device = join(this.roots.dev, 'snd', `controlC${entry.slice(4)}`);
        const handle = await open(device, 'r').catch((error: NodeJS.ErrnoException) => error.code ?? 'unopenable');
        if (typeof handle === 'string') return { ok: false, detail: `ALSA card ${this.config.cardId} is ${entry} but ${device}: ${handle}` };
        await handle.close();
        return { ok: true, detail: `ALSA card ${this.config.cardId} is ${entry}` };
      }
    return { ok: false, detail: `no ALSA card ${this.config.cardId}` };
  }
}

/** How long the GPS check waits for a sentence (a receiver sends one a second). */
const GPS_WAIT_MS = 3000;

class GpsTtyPeripheral extends InterfacePeripheral {
  constructor(
    private readonly config: LinuxHardwareMap['gps'],
    roots: LinuxRoots,
    private readonly waitMs = GPS_WAIT_MS,
  ) {
    super('gps', config.binding, roots);
  }

  protected async check() {
    const { tty } = this.config;
    await readText(join(this.roots.sysfs, 'class', 'tty', tty, 'dev')).catch(() => {
      throw new Error(`no tty ${tty} in sysfs`);
    });
    const text = await readFor(join(this.roots.dev, tty), this.waitMs, 4096);
    const sentence = /\$G[PNLA](RMC|GGA|GSA|GSV|VTG)[^\r\n]*/.exec(text)?.[0];
    return sentence
      ? { ok: true, detail: `${tty} speaks NMEA (${sentence.slice(1, 6)})` }
      : { ok: false, detail: `no NMEA sentence from ${tty} in ${this.waitMs} ms` };
  }
}

/**
 * Up to `limit` bytes from `path` within `ms`, stopping at the first whole NMEA sentence. A tty (or
 * a FIFO) is read without blocking, polled until the time is up, so a silent receiver holds no
 * thread of Node's pool; a regular file (a capture) is read to its end.
 */
async function readFor(path: string, ms: number, limit: number): Promise<string> {
  // O_NOCTTY: reading the GPS's tty must not make it this process's controlling terminal.
  const handle = await open(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
  const chunks: Buffer[] = [];
  let total = 0;
  const deadline = Date.now() + ms;
  try {
    const regular = (await handle.stat()).isFile();
    while (total < limit && Date.now() < deadline) {
      const buffer = Buffer.alloc(Math.min(1024, limit - total));
      const bytesRead = await handle.read(buffer, 0, buffer.length, null).then(
        (r) => r.bytesRead,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'EAGAIN') return -1;
          throw error;
        },
      );
      if (bytesRead === 0 && regular) break;
      if (bytesRead <= 0) {
        // Nothing yet (or no writer on a FIFO): wait a little, as the receiver sends once a second.
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (/\$G..(RMC|GGA|GSA|GSV|VTG)[^\r\n]*\r?\n/.test(Buffer.concat(chunks).toString('latin1'))) break;
    }
  } finally {
    await handle.close();
  }
  return Buffer.concat(chunks).toString('latin1');
}

/** The board's five peripherals in the hardware reset's order, and its IMU for recalibration. */
export function linuxPeripherals(
  map: LinuxHardwareMap,
  roots: LinuxRoots = { sysfs: '/sys', dev: '/dev' },
  options: { gpsWaitMs?: number } = {},
): { peripherals: Peripheral[]; imu: ImuSource } {
  return {
    peripherals: [
      new IioImuPeripheral(map.imu, roots),
      new GpsTtyPeripheral(map.gps, roots, options.gpsWaitMs),
      new LedPeripheral(map.leds, roots),
      new BacklightPeripheral(map.display, roots),
      new AlsaCardPeripheral(map.audio, roots),
    ],
    imu: new IioImu(roots.sysfs, map.imu.iioName),
  };
}
