import { mkdtemp, readFile, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallContext } from '../../../src/api/contract.js';
import { AppError } from '../../../src/api/errors.js';
import { compileQuery, compareNewestFirst } from '../../../src/logging/logQuery.js';
import type { LogRecord } from '../../../src/logging/logRecord.js';
import type { AirNetwork } from '../../../src/network/SimulatedStack.js';
import { SecretRegistry } from '../../../src/secrets/SecretRegistry.js';
import { Logger } from '../logging/Logger.js';
import { networkCapability } from './networkCapability.js';
import type { LogQueryPort } from './ports.js';
import { LatchValueFile, SimulatedNetworkManager } from './SimulatedNetworkManager.js';

const context: CallContext = { signal: new AbortController().signal, connection: 'test', connectionId: 1, holds: () => true };
const AIR: AirNetwork[] = [
  { ssid: 'Home', signal: 80, security: 'wpa2-personal', password: 'correct horse battery' },
  { ssid: 'Phone', signal: 60, security: 'wpa3-personal', password: 'phone-pass-42', metered: true },
];

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

async function headset(options: { air?: AirNetwork[]; wired?: string; latch?: string; associateMs?: number; records?: LogRecord[] } = {}) {
  dir ??= await mkdtemp(join(tmpdir(), 'network-cap-'));
  const paths = {
    air: join(dir, 'network', 'air.json'),
    wired: join(dir, 'network', 'state'),
    savedDir: join(dir, 'data', 'network'),
    latch: join(dir, 'gpio', 'latch'),
  };
  await mkdir(join(dir, 'network'), { recursive: true });
  await mkdir(join(dir, 'gpio'), { recursive: true });
  if (options.air) await writeFile(paths.air, JSON.stringify(options.air));
  await writeFile(paths.wired, `${options.wired ?? 'offline'}\n`);
  await writeFile(paths.latch, `${options.latch ?? '0'}\n`);
  const records = options.records ?? [];
  const logger = new Logger({ version: 't', commit: 't', bootId: 'b' }, [{ append: (line) => records.push(JSON.parse(line) as LogRecord) }]);
  // The log archive's query, over the lines written (what headsetd reads back from its files).
  const auditLog: LogQueryPort = async (input) => {
    const query = compileQuery(input);
    const entries = records
      .filter((r) => query.matches(r))
      .sort(compareNewestFirst)
      .slice(0, input.limit);
    return { entries, nextCursor: null };
  };
  const secrets = new SecretRegistry();
  const capability = networkCapability({
    backend: new SimulatedNetworkManager(paths, { associateMs: options.associateMs ?? 1 }),
    latch: new LatchValueFile(paths.latch),
    log: logger.for('network'),
    secrets,
    auditLog,
    hotspotSsid: 'Headset-AB12',
    pollMs: 60_000,
  });
  await capability.start!();
  return { capability, handlers: capability.handlers!, paths, records, secrets, stop: () => capability.stop!() };
}

async function codeOf(promise: unknown): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'resolved';
}

describe('the network capability on the simulated NetworkManager', () => {
  it('joins, keeps the profile with its key in data/network/profiles.json (0600, replaced whole), publishes the state port, and audits without the key', async () => {
    const h = await headset({ air: AIR });
    expect(await h.capability.provides.monitor.state()).toBe('offline');
    await h.handlers['network.connect']!({ ssid: 'Phone', password: 'phone-pass-42', hidden: false, support: false, via: 'ui' }, context);
    await vi.waitFor(async () => expect(await h.capability.provides.monitor.state()).toBe('metered'));
    await h.handlers['network.connect']!({ ssid: 'Home', password: 'correct horse battery', hidden: false, support: false, via: 'cli' }, context);
    await vi.waitFor(async () => expect(await h.capability.provides.monitor.state()).toBe('online'));
    const file = join(h.paths.savedDir, 'profiles.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { profiles: { ssidHex: string; psk: string; priority: number }[] };
    expect(stored.profiles.map((p) => [p.ssidHex, p.psk, p.priority])).toEqual([
      ['50686F6E65', 'phone-pass-42', 0],
      ['486F6D65', 'correct horse battery', 1],
    ]);
    expect((await readdir(h.paths.savedDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const audit = await h.handlers['network.audit']!({ limit: 10 }, context);
    expect(audit.entries.map((e) => `${e.who} ${e.action} ${e.ssid} ${e.result}`)).toEqual([
      'cli connect Home ok',
      'ui connect Phone ok',
      'system mode null ok',
    ]);
    const lines = h.records.map((r) => JSON.stringify(r)).join('\n');
    expect(h.records.map((r) => r.msg)).toContain('network change by cli: connect "Home" done');
    expect(lines).not.toContain('correct horse battery');
    expect(lines).not.toContain('phone-pass-42');
    expect(h.secrets.redact('correct horse battery')).toBe('[redacted]');
    await h.stop();
  });

  it('a wrong key fails as NetworkManager would; an SSID of 33 bytes is refused; a network removed from air.json mid-join vanishes', async () => {
    const h = await headset({ air: AIR, associateMs: 500 });
    expect(
      await codeOf(h.handlers['network.connect']!({ ssid: 'Home', password: 'wrong horse', hidden: false, support: false, via: 'ui' }, context)),
    ).toBe('NETWORK_WRONG_PASSWORD');
    expect(await codeOf(h.handlers['network.connect']!({ ssid: `${'東'.repeat(11)}`, hidden: false, support: false, via: 'ui' }, context))).toBe(
      'NETWORK_SSID_INVALID',
    );
    const joining = h.handlers['network.connect']!({ ssid: 'Phone', password: 'phone-pass-42', hidden: false, support: false, via: 'ui' }, context);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await writeFile(h.paths.air, JSON.stringify(AIR.filter((n) => n.ssid !== 'Phone')));
    expect(await codeOf(joining)).toBe('NETWORK_VANISHED');
    const audit = await h.handlers['network.audit']!({ limit: 10 }, context);
    expect(audit.entries.map((e) => e.code)).toEqual(['NETWORK_VANISHED', 'NETWORK_SSID_INVALID', 'NETWORK_WRONG_PASSWORD', null]);
    await h.stop();
  });

  it('at every boot the latch decides: client mode joins the saved network in reach with the highest priority; hotspot mode raises an access point', async () => {
    const first = await headset({ air: AIR });
    await first.handlers['network.connect']!({ ssid: 'Home', password: 'correct horse battery', hidden: false, support: false, via: 'ui' }, context);
    await first.handlers['network.connect']!({ ssid: 'Phone', password: 'phone-pass-42', hidden: false, support: false, via: 'ui' }, context);
    const saved = await first.handlers['network.saved']!({}, context);
    await first.handlers['network.setPriority']!({ id: saved.find((n) => n.ssid === 'Home')!.id, priority: 10, via: 'ui' }, context);
    await first.stop();

    const second = await headset({ air: AIR });
    expect((await second.handlers['network.overview']!({}, context)).wifi?.ssid).toBe('Home');
    await second.stop();

    const hotspot = await headset({ air: AIR, latch: '1' });
    const overview = await hotspot.handlers['network.overview']!({}, context);
    expect(overview).toMatchObject({ mode: 'hotspot', wifi: null, hotspot: { ssid: 'Headset-AB12', active: true } });
    const { password } = await hotspot.handlers['network.hotspotPassword']!({}, context);
    expect(password).toMatch(/^[A-Za-z2-9]{16}$/);
    expect(hotspot.secrets.redact(password)).toBe('[redacted]');
    expect(JSON.stringify(hotspot.records)).not.toContain(password);
    expect(await codeOf(hotspot.handlers['network.connect']!({ ssid: 'Home', hidden: false, support: false, via: 'ui' }, context))).toBe(
      'NETWORK_HOTSPOT_MODE',
    );
    await hotspot.stop();
  });

  it('the cable (network/state) is still an input: Ethernet up is online, whatever Wi-Fi does', async () => {
    const h = await headset({ air: AIR, wired: 'online' });
    expect(await h.capability.provides.monitor.state()).toBe('online');
    expect((await h.handlers['network.overview']!({}, context)).ethernet).toMatchObject({ present: true, carrier: true, connected: true });
    await h.stop();
  });
});
