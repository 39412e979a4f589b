import { describe, expect, it } from 'vitest';
import type { NetworkStatus } from '../api/contract/network.js';
import { AppError } from '../api/errors.js';
import { StateChannel } from '../api/stateChannel.js';
import { createMemoryNetwork } from '../../test-support/network/memoryNetwork.js';
import { ssidToHex } from './ssid.js';

const AIR = [
  { ssid: 'Home', signal: 80, security: 'wpa2-personal' as const, password: 'correct horse' },
  { ssid: 'Café: free', signal: 45, security: 'open' as const },
  { ssid: 'Support desk', signal: 70, security: 'wpa2-personal' as const, password: 'support-desk-2026' },
];

function network() {
  const status = new StateChannel<NetworkStatus>({ state: 'offline', since: new Date(0).toISOString() });
  return createMemoryNetwork(status, { air: AIR, wired: 'offline' });
}

describe('the network settings back to their defaults (the configuration reset’s port)', () => {
  it('forgets the wearer’s networks with their keys, keeps support networks at their defaults, audits each change as the system’s without a key', async () => {
    const net = network();
    await net.provisioner.start();
    await net.provisioner.connect({ ssid: 'Support desk', password: 'support-desk-2026', hidden: false, support: true, via: 'cli' });
    const [support] = await net.provisioner.saved();
    // Support's priority lowered by hand: the reset puts it back.
    await net.provisioner.setPriority(support!.id, 5, 'cli');
    await net.provisioner.connect({ ssid: 'Café: free', hidden: false, support: false, via: 'ui' });
    await net.provisioner.connect({ ssid: 'Home', password: 'correct horse', hidden: false, support: false, via: 'ui' });
    expect((await net.provisioner.current()).wifi?.ssid).toBe('Home');
    const auditBefore = net.audit.entries.length;

    expect(await net.provisioner.resetToDefaults()).toEqual({ forgotten: 2, kept: 1 });

    expect(net.world.profiles).toEqual([
      expect.objectContaining({ ssidHex: ssidToHex('Support desk'), priority: 999, powerSaveOff: true, psk: 'support-desk-2026' }),
    ]);
    expect(await net.provisioner.saved()).toEqual([expect.objectContaining({ ssid: 'Support desk', support: true, priority: 999 })]);
    // Home was the network in use: forgotten, it is no longer joined.
    expect(net.provisioner.current().wifi).toBeNull();
    const entries = net.audit.entries.slice(auditBefore);
    expect(entries.map((e) => [e.who, e.action, e.ssid, e.detail, e.result])).toEqual([
      ['system', 'set-support', 'Support desk', 'configuration reset: support network kept', 'ok'],
      ['system', 'forget', 'Café: free', 'configuration reset', 'ok'],
      ['system', 'forget', 'Home', 'configuration reset', 'ok'],
    ]);
    expect(JSON.stringify(net.audit.entries)).not.toMatch(/correct horse|support-desk-2026/);
    // Run again (a power cut after it): nothing left to forget, the same state.
    expect(await net.provisioner.resetToDefaults()).toEqual({ forgotten: 0, kept: 1 });
    expect(net.audit.entries.length).toBe(auditBefore + 3);
  });

  it('quiet (inside a factory reset): the same changes and no audit line', async () => {
    const net = network();
    await net.provisioner.start();
    await net.provisioner.connect({ ssid: 'Home', password: 'correct horse', hidden: false, support: false, via: 'ui' });
    const auditBefore = net.audit.entries.length;
    expect(await net.provisioner.resetToDefaults({ quiet: true })).toEqual({ forgotten: 1, kept: 0 });
    expect(net.world.profiles).toEqual([]);
    expect(net.audit.entries.length).toBe(auditBefore);
  });

  it('a stack that fails mid-way throws its code, audited, and a second run finishes the job', async () => {
    const net = network();
    await net.provisioner.start();
    await net.provisioner.connect({ ssid: 'Home', password: 'correct horse', hidden: false, support: false, via: 'ui' });
    await net.provisioner.connect({ ssid: 'Café: free', hidden: false, support: false, via: 'ui' });
    const remove = net.stack.remove.bind(net.stack);
    let failures = 1;
    net.stack.remove = async (id) => {
      if (failures-- > 0) throw new AppError('NETWORK_TOOL_FAILED', undefined, { stderr: 'NetworkManager is not running' });
      return remove(id);
    };
    await expect(net.provisioner.resetToDefaults()).rejects.toMatchObject({ code: 'NETWORK_TOOL_FAILED' });
    expect(net.audit.entries.at(-1)).toMatchObject({ who: 'system', action: 'forget', result: 'failed', code: 'NETWORK_TOOL_FAILED' });
    expect(await net.provisioner.resetToDefaults()).toEqual({ forgotten: 2, kept: 0 });
    expect(net.world.profiles).toEqual([]);
  });
});
