import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GpsService } from './GpsService.js';
import { SimulatedGpsReceiver } from './SimulatedGpsReceiver.js';
import { HOT_START_WITHIN_MS } from './ports.js';

const root = mkdtempSync(join(tmpdir(), 'gps-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let devices = 0;
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

/** A simulated receiver and the service, on one hand-driven clock; the service's log kept as records. */
function rig(seed: number, dir = join(root, `d${devices++}`)) {
  mkdirSync(dir, { recursive: true });
  // Receivers start at different moments of the navigation message's 30 s frame.
  const clock = { now: T0 + seed * 7919 };
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const log = {
    info: (msg: string, fields?: Record<string, unknown>) => lines.push({ level: 'info', msg, fields }),
    warn: (msg: string, fields?: Record<string, unknown>) => lines.push({ level: 'warn', msg, fields }),
  };
  const paths = { sky: join(dir, 'sky'), backup: join(dir, 'backup.json') };
  const make = () =>
    new GpsService(new SimulatedGpsReceiver(paths, { seed, now: () => clock.now }), {
      stateFile: join(dir, 'gps.json'),
      log,
      now: () => clock.now,
      pollMs: 0,
    });
  return { dir, clock, lines, paths, make };
}

/** Ticks once a second until locked (or the limit); returns the seconds it took. */
async function runUntilLocked(service: GpsService, clock: { now: number }, limitS = 600): Promise<number | null> {
  for (let s = 0; s <= limitS; s++) {
    await service.tick();
    if (service.current().status === 'locked') return s;
    clock.now += 1000;
  }
  return null;
}

describe('GpsService with the simulated receiver', () => {
  it('measures a cold start, logs "fix acquired" with its numbers, then a hot restart locks in seconds', async () => {
    const { clock, lines, make } = rig(7);
    const gps = make();
    await gps.start();
    expect(gps.health()).toEqual({ timeToLockMs: null, locked: false, satellites: 0 });
    const coldS = await runUntilLocked(gps, clock);
    expect(coldS).not.toBeNull();
    // A cold start has to find the signals and decode a whole ephemeris: tens of seconds.
    expect(coldS!).toBeGreaterThanOrEqual(18);
    expect(coldS!).toBeLessThanOrEqual(90);
    const fix = lines.find((l) => l.msg === 'fix acquired')!;
    expect(fix.fields).toMatchObject({ start: 'cold', timeToLockMs: coldS! * 1000 });
    expect(fix.fields!.satellites as number).toBeGreaterThanOrEqual(4);
    expect(gps.health()).toMatchObject({ locked: true, timeToLockMs: coldS! * 1000 });
    await gps.stop();

    clock.now += 10 * 60_000;
    const again = make();
    await again.start();
    const hotS = await runUntilLocked(again, clock);
    expect(hotS!).toBeLessThanOrEqual(8);
    expect(lines.filter((l) => l.msg === 'fix acquired').at(-1)!.fields).toMatchObject({ start: 'hot' });
    // The position never reaches the log: no field of any line holds a coordinate.
    const position = again.latestFix()!.position;
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(String(position.lat).slice(0, 6));
    expect(logged).not.toContain(String(position.lon).slice(0, 5));
    expect(logged).not.toMatch(/"lat"|"lon"/);
    await again.stop();
  });

  it('makes a warm start when the last fix is hours old: between hot and cold', async () => {
    const { clock, lines, make } = rig(11);
    const first = make();
    await first.start();
    await runUntilLocked(first, clock);
    await first.stop();
    clock.now += HOT_START_WITHIN_MS + 3 * 3_600_000;
    const warm = make();
    await warm.start();
    const warmS = await runUntilLocked(warm, clock);
    expect(lines.filter((l) => l.msg === 'fix acquired').at(-1)!.fields).toMatchObject({ start: 'warm' });
    expect(warmS!).toBeGreaterThanOrEqual(18); // the ephemeris is stale: it is decoded again
    await warm.stop();
  });

  it('time-to-lock follows realistic distributions over many receivers: cold ~30-45 s, hot ~1-3 s', async () => {
    const cold: number[] = [];
    const hot: number[] = [];
    for (let seed = 1; seed <= 15; seed++) {
      const { clock, make } = rig(seed);
      const gps = make();
      await gps.start();
      cold.push((await runUntilLocked(gps, clock))!);
      await gps.stop();
      clock.now += 60_000;
      const again = make();
      await again.start();
      hot.push((await runUntilLocked(again, clock))!);
      await again.stop();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(median(cold)).toBeGreaterThanOrEqual(25);
    expect(median(cold)).toBeLessThanOrEqual(50);
    expect(median(hot)).toBeLessThanOrEqual(4);
    // Not a constant: the sky and the receiver vary.
    expect(new Set(cold).size).toBeGreaterThan(3);
  });

  it('takes the kind of start from the receiver where it can tell (its backup memory), not only its own record', async () => {
    const { clock, lines, paths, make } = rig(3);
    writeFileSync(paths.backup, JSON.stringify({ lastFixAt: clock.now - 60_000 }));
    const gps = make();
    await gps.start();
    expect(await runUntilLocked(gps, clock)).toBeLessThanOrEqual(8);
    expect(lines.at(-1)!.fields).toMatchObject({ start: 'hot' });
    await gps.stop();
  });

  it('is deterministic for a seed', async () => {
    const a = rig(42);
    const b = rig(42);
    const ga = a.make();
    const gb = b.make();
    await ga.start();
    await gb.start();
    expect(await runUntilLocked(ga, a.clock)).toBe(await runUntilLocked(gb, b.clock));
    await ga.stop();
    await gb.stop();
  });

  it('loses the fix indoors, reacquires outside, and measures the reacquisition (hot)', async () => {
    const { clock, lines, paths, make } = rig(5);
    const gps = make();
    await gps.start();
    await runUntilLocked(gps, clock);
    writeFileSync(paths.sky, 'indoor\n');
    clock.now += 1000;
    await gps.tick();
    expect(gps.current().status).toBe('searching');
    expect(lines.at(-1)).toMatchObject({ level: 'warn', msg: 'fix lost' });
    // Indoors it keeps searching without a fix.
    expect(await runUntilLocked(gps, clock, 120)).toBeNull();
    expect(gps.health()).toMatchObject({ locked: false });
    writeFileSync(paths.sky, 'open\n');
    const reacquireS = await runUntilLocked(gps, clock);
    expect(reacquireS!).toBeLessThanOrEqual(8);
    expect(lines.filter((l) => l.msg === 'fix acquired')).toHaveLength(2);
    // Counted from the last moment the receiver was blind (one poll before the sky opened), not from the loss.
    expect(lines.at(-1)!.fields).toMatchObject({ start: 'hot', timeToLockMs: (reacquireS! + 1) * 1000 });
    await gps.stop();
  });

  it('a receiver that fails is reported once, and the service carries on', async () => {
    const lines: string[] = [];
    let failing = true;
    const gps = new GpsService(
      {
        powerOn: async () => undefined,
        powerOff: async () => undefined,
        read: async () => {
          if (failing) throw new Error('gpsd is not reachable');
          return { satellites: 6, visible: 9, fix: { lat: 1, lon: 2 } };
        },
      },
      { stateFile: join(root, 'failing.json'), log: { info: (m) => lines.push(m), warn: (m) => lines.push(m) }, pollMs: 0 },
    );
    await gps.start();
    await gps.tick();
    await gps.tick();
    expect(lines).toEqual(['receiver unavailable']);
    failing = false;
    await gps.tick();
    expect(lines).toEqual(['receiver unavailable', 'receiver back', 'fix acquired']);
    await gps.stop();
  });
});
