import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrackFix } from '../../../src/tracks/geo.js';
import { SessionRecorder } from '../../../src/tracks/sessionRecorder.js';
import { GpsService } from './GpsService.js';
import { SimulatedGpsReceiver } from './SimulatedGpsReceiver.js';

const root = mkdtempSync(join(tmpdir(), 'gps-drive-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let devices = 0;

/** A simulated receiver with a hot start (a fresh backup), its service on a hand-driven clock, the fixes it hands on. */
function rig(drive: unknown) {
  const dir = join(root, `d${devices++}`);
  mkdirSync(dir, { recursive: true });
  const clock = { now: Date.parse('2026-06-01T09:00:00.000Z') };
  writeFileSync(join(dir, 'backup.json'), JSON.stringify({ lastFixAt: clock.now - 60_000 }));
  writeFileSync(join(dir, 'drive.json'), typeof drive === 'string' ? drive : JSON.stringify(drive));
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const log = {
    info: (msg: string, fields?: Record<string, unknown>) => lines.push({ level: 'info', msg, fields }),
    warn: (msg: string, fields?: Record<string, unknown>) => lines.push({ level: 'warn', msg, fields }),
  };
  const receiver = new SimulatedGpsReceiver(
    { sky: join(dir, 'sky'), backup: join(dir, 'backup.json'), drive: join(dir, 'drive.json') },
    { now: () => clock.now },
  );
  const service = new GpsService(receiver, { stateFile: join(dir, 'gps.json'), log, now: () => clock.now, pollMs: 0 });
  const fixes: TrackFix[] = [];
  service.onFixes((batch) => fixes.push(...batch));
  return { service, clock, lines, fixes };
}

async function run(r: ReturnType<typeof rig>, seconds: number): Promise<void> {
  await r.service.start();
  for (let s = 0; s < seconds; s++) {
    await r.service.tick();
    r.clock.now += 1000;
  }
  await r.service.stop();
}

describe('the simulated receiver on a circuit (gps/drive.json)', () => {
  it('hands on every fix at the drive rate, sped up by the time scale, and the laps come out of them', async () => {
    const r = rig({ circuit: 'kestrel-ring', laps: 3, rateHz: 10, timeScale: 10, dropoutsPerLap: 0, seed: 3 });
    await run(r, 25);
    // 25 s of wall time at 10x: about 250 s of driving (the drive lasts some 280 s), ten fixes a second, in time order.
    const span = (r.fixes[r.fixes.length - 1]!.t - r.fixes[0]!.t) / 1000;
    expect(r.fixes.length / span).toBeGreaterThan(9.5);
    expect(r.fixes.every((f, i) => i === 0 || f.t > r.fixes[i - 1]!.t)).toBe(true);
    const recorder = new SessionRecorder((loop) => ({ id: 'k', line: loop.line, sectors: loop.sectors }));
    const laps = r.fixes.flatMap((f) => recorder.push(f));
    expect(laps.length).toBeGreaterThanOrEqual(2);
    expect(laps.every((l) => l.timeMs > 45_000 && l.timeMs < 70_000)).toBe(true);
  });

  it('loses the fix in a dropout and finds it again', async () => {
    const r = rig({ circuit: 'hollowmere-national', laps: 2, rateHz: 5, dropoutsPerLap: 3, seed: 9 });
    await run(r, 200);
    expect(r.lines.filter((l) => l.msg === 'fix lost').length).toBeGreaterThan(0);
    expect(r.lines.filter((l) => l.msg === 'fix acquired').length).toBeGreaterThan(1);
  });

  it('says in the log what is wrong with a drive file, and hands on nothing', async () => {
    const r = rig({ circuit: 'nowhere-ring', laps: 3 });
    await run(r, 5);
    const warning = r.lines.find((l) => l.msg === 'receiver unavailable');
    expect(String(warning?.fields?.error)).toMatch(/drive\.json is not valid: circuit/);
    expect(r.fixes).toEqual([]);
  });
});
