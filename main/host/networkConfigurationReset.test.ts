import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import type { Scope } from '../../src/api/contract.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { createHeadset, type Headset } from './composition.js';

// The network's part of a configuration reset and of a factory reset, through headsetd on the
// simulated headset (its NetworkManager keeps profiles with their keys in data/network/).

const build = { version: '1.0.0', commit: 'abc', builtAt: '2026-01-01T00:00:00Z' };
const roots: string[] = [];
const running: Headset[] = [];
afterEach(async () => {
  for (const headset of running.splice(0)) await headset.close();
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

async function boot(root: string) {
  let off!: () => void;
  const poweredOff = new Promise<void>((resolve) => (off = resolve));
  const headset = await createHeadset({ device: 'simulated', root, build, healthIntervalMs: 60_000, onPowerOff: () => off() });
  running.push(headset);
  const [a, b] = createMemoryPortPair();
  headset.router.connect(b, { label: 'test', scopes: new Set<Scope>(['status', 'user', 'recovery']) });
  return { headset, client: new ApiClient(a), poweredOff };
}

const HOME_KEY = 'correct horse battery';
const SUPPORT_KEY = 'support-desk-2026';

/** A headset with the wearer's Home and Café networks and the hidden support network saved, a PIN set. */
async function withSavedNetworks(root: string) {
  const first = await boot(root);
  await first.client.call('setup.complete');
  await first.client.call('network.connect', { ssid: 'Support desk', password: SUPPORT_KEY, hidden: true, security: 'wpa2-personal', support: true });
  await first.client.call('network.connect', { ssid: 'Café: "free" wifi' });
  await first.client.call('network.connect', { ssid: 'Home', password: HOME_KEY });
  expect((await first.client.call('network.saved')).map((n) => n.ssid)).toEqual(['Support desk', 'Home', 'Café: "free" wifi']);
  await first.client.call('lock.set', { pin: '2468' });
  return first;
}

function savedFiles(root: string): string {
  const dir = join(new SimulatedDeviceLayout(root).dataDir, 'network');
  return existsSync(dir)
    ? readdirSync(dir)
        .map((name) => readFileSync(join(dir, name), 'utf8'))
        .join('\n')
    : '';
}

describe('saved networks and the resets, through headsetd', () => {
  it('a configuration reset forgets the wearer’s networks and their keys, keeps the support network, says so, and audits it as the system’s', async () => {
    const root = mkdtempSync(join(tmpdir(), 'network-config-reset-'));
    roots.push(root);
    const first = await withSavedNetworks(root);
    expect(savedFiles(root)).toContain(HOME_KEY);
    const report = await first.client.call('reset.configure', { confirm: true, pin: '2468', keepPin: true, keepAccounts: true });
    expect(report.network).toEqual({ result: 'reset', forgotten: 2, kept: 1 });
    await first.poweredOff;
    await first.headset.close();
    running.splice(0);

    // After the restart: only the support network, with its key; the wearer's keys are gone from the disk.
    const second = await boot(root);
    expect(await second.client.call('network.saved')).toEqual([
      expect.objectContaining({ ssid: 'Support desk', support: true, priority: 999, hasPassword: true, hidden: true }),
    ]);
    const files = savedFiles(root);
    expect(files).not.toContain(HOME_KEY);
    expect(files).toContain(SUPPORT_KEY);
    const audit = await second.client.call('network.audit', { limit: 20 });
    const byReset = audit.entries.filter((e) => e.detail === 'configuration reset');
    expect(byReset.map((e) => [e.who, e.action, e.ssid, e.result]).sort()).toEqual([
      ['system', 'forget', 'Café: "free" wifi', 'ok'],
      ['system', 'forget', 'Home', 'ok'],
    ]);
    expect(JSON.stringify(audit)).not.toMatch(new RegExp(`${HOME_KEY}|${SUPPORT_KEY}`));
  }, 60_000);

  it('a factory reset leaves no saved network at all (the class erased, the support network too), and its record still verifies', async () => {
    const root = mkdtempSync(join(tmpdir(), 'network-factory-reset-'));
    roots.push(root);
    const first = await withSavedNetworks(root);
    await first.client.call('reset.wipe', { scope: 'everything', confirm: true, pin: '2468' });
    await first.poweredOff;
    await first.headset.close();
    running.splice(0);

    const second = await boot(root);
    expect(await second.client.call('network.saved')).toEqual([]);
    expect(savedFiles(root)).not.toMatch(new RegExp(`${HOME_KEY}|${SUPPORT_KEY}`));
    expect(await second.client.call('reset.status')).toMatchObject({ status: 'idle', last: { scopes: ['everything'], verification: 'passed' } });
  }, 60_000);
});
