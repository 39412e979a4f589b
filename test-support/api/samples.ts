import type { BootStatus, HealthSnapshot, Identity, SystemInfo, TelemetryOutboxStatus, UpdateStatus } from '../../src/api/contract.js';
import type { LogRecord } from '../../src/logging/logRecord.js';

// Sample answers of a headset, as the fake device gives them and tests expect them.

export const sampleInfo: SystemInfo = {
  product: 'Headset Control',
  appVersion: '0.1.0',
  commit: 'abc1234',
  builtAt: '2026-01-01T00:00:00.000Z',
  deviceProfile: 'simulated',
  model: 'Test Headset',
  serial: 'SIM-0123456789',
};

export const sampleIdentity: Identity = {
  deviceId: '6f1c1f9e-3b0a-4f5e-9a4b-2a8f4c1d7e10',
  idSource: 'generated',
  keyAlgorithm: 'ed25519',
  publicKey: 'MCowBQYDK2VwAyEA',
  createdAt: '2025-01-01T00:00:00.000Z',
  supportCode: 'K7M2-9QPX',
};

export function sampleHealth(cpuLoadPercent = 12, path = '/data'): HealthSnapshot {
  return {
    takenAt: '2025-01-01T00:00:00.000Z',
    cpuLoadPercent,
    temperatureC: 41.5,
    memory: { usedBytes: 1_000, totalBytes: 4_000 },
    disk: { usedBytes: 10_000, totalBytes: 64_000, path },
    battery: { percent: 76, charging: false },
    gps: { timeToLockMs: 28_400, locked: true, satellites: 9 },
  };
}

export const sampleBoot: BootStatus = {
  activeSlot: 'A',
  order: ['A', 'B'],
  slots: [
    { name: 'A', version: '1.0.0', bootable: true, triesLeft: 3, active: true },
    { name: 'B', version: null, bootable: false, triesLeft: 0, active: false },
  ],
  bootId: 'boot-1',
  bootCount: 1,
  fellBack: false,
};

export const sampleOutboxStatus: TelemetryOutboxStatus = {
  queued: { critical: 0, normal: 0, bulk: 0, debug: 0 },
  queuedBytes: 0,
  limitBytes: 16 * 1024 * 1024,
  dropped: 0,
  corruptSkipped: 0,
  delivered: 0,
  lastDeliveryAt: null,
  lastError: null,
  waitingFor: null,
  endpoint: null,
};

export const sampleUpdateStatus: UpdateStatus = {
  state: { status: 'unconfigured' },
  settings: { bandwidthLimitBytesPerSecond: null, allowMetered: false, checkIntervalHours: 6 },
  lastCheck: null,
  current: { slot: 'A', version: '1.0.0' },
  rollbackTo: null,
  keptVersions: [],
};

/** A small log of two boots: GPS locks, an update that failed twice, a warning. */
export function sampleLogRecords(): LogRecord[] {
  const base = Date.UTC(2025, 0, 1, 8, 0, 0);
  const entry = (
    minute: number,
    level: LogRecord['level'],
    subsystem: LogRecord['subsystem'],
    msg: string,
    seq: number,
    bootId: string,
    fields?: Record<string, unknown>,
  ): LogRecord => ({
    time: new Date(base + minute * 60_000).toISOString(),
    level,
    subsystem,
    msg,
    version: '0.1.0',
    commit: 'abc1234',
    bootId,
    seq,
    ...(fields ? { fields } : {}),
  });
  return [
    entry(0, 'info', 'system', 'headsetd started: simulated device', 1, 'boot-0'),
    entry(1, 'info', 'gps', 'GPS locked with 7 satellites', 2, 'boot-0', { timeToLockMs: 4100 }),
    entry(30, 'warn', 'update', 'download stalled for 30 s', 3, 'boot-0'),
    entry(60, 'info', 'system', 'headsetd started: simulated device', 1, 'boot-1'),
    entry(61, 'info', 'gps', 'GPS locked with 8 satellites', 2, 'boot-1', { timeToLockMs: 3900 }),
    entry(90, 'error', 'update', 'install failed: SLOT_VERIFY_FAILED', 3, 'boot-1', { slot: 'B' }),
    entry(95, 'error', 'update', 'install failed: SLOT_VERIFY_FAILED', 4, 'boot-1', { slot: 'B' }),
  ];
}
