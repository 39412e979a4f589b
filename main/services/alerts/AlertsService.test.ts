import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertsState, BootStatus, HealthSnapshot, ProcessName, UpdateStatus } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { DEFAULT_ALERT_THRESHOLDS } from '../../../src/alerts/thresholds.js';
import type { LogRecord } from '../../../src/logging/logRecord.js';
import { sampleBoot, sampleHealth, sampleUpdateStatus } from '../../../test-support/api/samples.js';
import { Logger } from '../logging/Logger.js';
import { AlertsService } from './AlertsService.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alerts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rig(options: { crashes?: () => Promise<{ time: string; process: ProcessName }[]>; now?: () => Date } = {}) {
  const records: LogRecord[] = [];
  const logger = new Logger({ version: 'test', commit: 'test', bootId: 'boot' }, [{ append: (line) => records.push(JSON.parse(line) as LogRecord) }]);
  const health = new StateChannel<HealthSnapshot>(sampleHealth());
  const updates = new StateChannel<UpdateStatus>(sampleUpdateStatus);
  const boot = new StateChannel<BootStatus>(sampleBoot);
  const crashes = { list: options.crashes ?? (async () => []) };
  const service = new AlertsService(
    { health, updates, boot, crashes },
    {
      thresholds: DEFAULT_ALERT_THRESHOLDS,
      dismissalsFile: join(dir, 'alerts-dismissed.json'),
      log: logger.for('alerts'),
      now: options.now,
      crashPollMs: 20,
    },
  );
  const pushed: AlertsState[] = [];
  service.state.subscribe((state) => pushed.push(state));
  return { service, health, updates, records, pushed };
}

const ids = (state: AlertsState | undefined) => state?.alerts.map((a) => a.id);
const offered: UpdateStatus = {
  ...sampleUpdateStatus,
  state: { status: 'available', offer: { version: '1.1.0', notes: '', downloadBytes: 1, installBytes: 1, kind: 'full' } },
};

describe('AlertsService', () => {
  it('pushes the alerts whole on a raise and a clear, logging each under subsystem alerts', async () => {
    const { service, health, records, pushed } = rig();
    await service.start();
    expect(service.state.current()).toEqual({ alerts: [] });
    health.set({ ...sampleHealth(), temperatureC: 109 });
    expect(ids(pushed.at(-1))).toEqual(['temperature-critical']);
    // The same reading again: nothing new to push.
    const count = pushed.length;
    health.set({ ...sampleHealth(), temperatureC: 109 });
    expect(pushed.length).toBe(count);
    health.set({ ...sampleHealth(), temperatureC: 92 }); // under the raise threshold, above the clear one
    expect(ids(pushed.at(-1))).toEqual(['temperature-critical']);
    health.set({ ...sampleHealth(), temperatureC: 50 });
    expect(ids(pushed.at(-1))).toEqual([]);
    await service.stop();

    const lines = records.map((r) => [r.level, r.subsystem, r.msg]);
    expect(lines).toEqual([
      ['warn', 'alerts', 'alert raised: temperature-critical'],
      ['warn', 'alerts', 'alert raised: temperature-high'],
      ['info', 'alerts', 'alert cleared: temperature-critical'],
      ['info', 'alerts', 'alert cleared: temperature-high'],
    ]);
    expect(records[0]!.fields).toMatchObject({ alert: 'temperature-critical', severity: 'critical', title: 'The headset is too hot', celsius: 109 });
    expect(records[2]!.fields).toMatchObject({ alert: 'temperature-critical', raisedAt: expect.any(String), lastedSeconds: expect.any(Number) });
  });

  it('keeps a dismissal across a restart, until the update it was about is no longer offered', async () => {
    const first = rig();
    first.updates.set(offered);
    await first.service.start();
    expect(ids(first.service.state.current())).toEqual(['update-available']);
    expect(ids(await first.service.dismiss('update-available'))).toEqual([]);
    expect(first.records.map((r) => r.msg)).toContain('alert dismissed: update-available');
    await first.service.stop();
    expect(JSON.parse(await readFile(join(dir, 'alerts-dismissed.json'), 'utf8'))).toEqual({ dismissed: [['update-available', '1.1.0']] });

    const second = rig();
    second.updates.set(offered);
    await second.service.start();
    expect(ids(second.service.state.current())).toEqual([]);
    second.updates.set({ ...sampleUpdateStatus, state: { status: 'idle' } });
    second.updates.set(offered);
    expect(ids(second.service.state.current())).toEqual(['update-available']);
    await second.service.stop();
    expect(JSON.parse(await readFile(join(dir, 'alerts-dismissed.json'), 'utf8'))).toEqual({ dismissed: [] });
  });

  it('starts without the dismissals when their file is unreadable, and says so', async () => {
    await writeFile(join(dir, 'alerts-dismissed.json'), '{ torn');
    const { service, updates, records } = rig();
    updates.set(offered);
    await service.start();
    expect(ids(service.state.current())).toEqual(['update-available']);
    expect(records.map((r) => [r.level, r.msg])).toContainEqual(['warn', 'alerts: could not read the dismissals, starting without']);
    await service.stop();
  });

  it('reads the crash records again and again: a crash loop raises, and clears once a window passes without a crash', async () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const crashes: { time: string; process: ProcessName }[] = [];
    let failing = false;
    const { service, records } = rig({
      now: () => new Date(now),
      crashes: async () => {
        if (failing) throw new Error('EIO');
        return [...crashes];
      },
    });
    await service.start();
    for (let i = 0; i < 3; i++) crashes.push({ time: new Date(now - i * 1000).toISOString(), process: 'renderer' });
    await expect.poll(() => ids(service.state.current()), { timeout: 2000 }).toEqual(['crash-loop']);
    expect(service.state.current()!.alerts[0]).toMatchObject({ severity: 'critical', action: { kind: 'open-logs' } });
    // A failing read keeps the last list, and is logged once.
    failing = true;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ids(service.state.current())).toEqual(['crash-loop']);
    expect(records.filter((r) => r.msg === 'alerts: could not read the crash records')).toHaveLength(1);
    failing = false;
    now += 11 * 60_000;
    await expect.poll(() => ids(service.state.current()), { timeout: 2000 }).toEqual([]);
    await service.stop();
  });

  it('refuses to dismiss a device condition', async () => {
    const { service, health } = rig();
    await service.start();
    health.set({ ...sampleHealth(), battery: { percent: 2, charging: false } });
    await expect(service.dismiss('battery-critical')).rejects.toMatchObject({ code: 'ALERT_NOT_DISMISSIBLE' });
    expect(ids(service.state.current())).toEqual(['battery-critical']);
    await service.stop();
  });
});
