import { describe, expect, it, vi } from 'vitest';
import type { NetworkOverview } from '../api/contract/network.js';
import { createFakeDevice } from '../../test-support/api/fakeDevice.js';
import { connectHarness } from '../../test-support/api/harness.js';
import { errorCodeOf } from '../../test-support/api/errorCodes.js';

const HOME = { ssid: 'Home', password: 'correct horse' };

describe('network provisioning through the router (the real policy over the simulated rules)', () => {
  it('scans: strongest first, one entry per name, hidden ones left out, reused while fresh and scanned again on request', async () => {
    const device = createFakeDevice({
      network: {
        air: [
          { ssid: 'Home', signal: 40, security: 'wpa2-personal', password: 'correct horse' },
          { ssid: 'Home', signal: 90, security: 'wpa2-personal', password: 'correct horse' },
          { ssid: 'Lab: 2', signal: 60, security: 'wpa3-personal', password: 'lab-password' },
          { ssid: 'Secret', signal: 99, security: 'open', hidden: true },
        ],
      },
    });
    const scan = vi.spyOn(device.network.stack, 'scan');
    const { client } = connectHarness({ device });
    const first = await client.call('network.scan', {});
    expect(first.cached).toBe(false);
    expect(first.networks.map((n) => [n.ssid, n.signal, n.bars, n.security, n.saved, n.connected])).toEqual([
      ['Home', 90, 4, 'wpa2-personal', false, false],
      ['Lab: 2', 60, 3, 'wpa3-personal', false, false],
    ]);
    expect((await client.call('network.scan', {})).cached).toBe(true);
    expect(scan).toHaveBeenCalledTimes(1);
    expect((await client.call('network.scan', { rescan: true })).cached).toBe(false);
    expect(scan).toHaveBeenCalledTimes(2);
  });

  it('joins a WPA2 network: saved with its password at the top of the wearer’s priorities, connected, online; the password never comes back', async () => {
    const device = createFakeDevice({ network: { wired: 'offline' } });
    const { client } = connectHarness({ device });
    const seen: NetworkOverview[] = [];
    client.subscribe('network.overviewChanged', (o) => seen.push(o));
    const overview = await client.call('network.connect', HOME);
    expect(overview.wifi).toMatchObject({ ssid: 'Home', ssidHex: '486F6D65', support: false });
    const saved = await client.call('network.saved');
    expect(saved).toEqual([expect.objectContaining({ ssid: 'Home', security: 'wpa2-personal', hasPassword: true, connected: true, priority: 0 })]);
    expect(JSON.stringify([overview, saved, seen, await client.call('network.scan', {})])).not.toContain(HOME.password);
    // A connection attempt is shown while it runs.
    expect(seen.some((o) => o.connecting === 'Home')).toBe(true);
    expect(device.network.world.profiles[0]!.psk).toBe(HOME.password);
    // Joined again without a password: the saved one is used.
    await client.call('network.connect', { ssid: 'Home' });
  });

  it('a wrong password fails the join, is audited without the password, and is cut from every output', async () => {
    const device = createFakeDevice();
    const { client } = connectHarness({ device });
    expect(await errorCodeOf(client.call('network.connect', { ssid: 'Home', password: 'wrong horse' }))).toBe('NETWORK_WRONG_PASSWORD');
    const audit = await client.call('network.audit', {});
    expect(audit.entries[0]).toMatchObject({ who: 'ui', action: 'connect', ssid: 'Home', result: 'failed', code: 'NETWORK_WRONG_PASSWORD' });
    expect(JSON.stringify(audit)).not.toContain('wrong horse');
    expect(device.network.secrets.redact('psk=wrong horse')).toBe('psk=[redacted]');
    expect((await client.call('network.overview')).wifi).toBeNull();
  });

  it('joins open and hidden networks, and says which security a network needs', async () => {
    const { client } = connectHarness();
    expect((await client.call('network.connect', { ssid: 'Café: free' })).wifi?.ssid).toBe('Café: free');
    expect(await errorCodeOf(client.call('network.connect', { ssid: 'Café: free', password: 'not needed' }))).toBe('NETWORK_PASSWORD_INVALID');
    expect(await errorCodeOf(client.call('network.connect', { ssid: 'Office' }))).toBe('NETWORK_SECURITY_UNSUPPORTED');
    const hidden = createFakeDevice({
      network: { air: [{ ssid: 'Support desk', signal: 70, security: 'wpa2-personal', password: 'desk-pass-1', hidden: true }] },
    });
    const h = connectHarness({ device: hidden });
    expect(await errorCodeOf(h.client.call('network.connect', { ssid: 'Support desk', password: 'desk-pass-1' }))).toBe('NETWORK_NOT_FOUND');
    const joined = await h.client.call('network.connect', {
      ssid: 'Support desk',
      password: 'desk-pass-1',
      hidden: true,
      security: 'wpa2-personal',
      support: true,
      via: 'cli',
    });
    expect(joined.wifi).toMatchObject({ ssid: 'Support desk', support: true });
    expect(await h.client.call('network.saved')).toEqual([expect.objectContaining({ hidden: true, support: true, priority: 999 })]);
    expect((await h.client.call('network.audit', {})).entries[0]).toMatchObject({ who: 'cli', detail: 'hidden support', result: 'ok' });
  });

  it('orders saved networks: support first, then priority; sets priorities, marks support, forgets', async () => {
    const { client } = connectHarness({
      device: createFakeDevice({
        network: {
          air: [
            { ssid: 'A', signal: 50, security: 'open' },
            { ssid: 'B', signal: 50, security: 'open' },
            { ssid: 'C', signal: 50, security: 'open' },
          ],
        },
      }),
    });
    for (const ssid of ['A', 'B', 'C']) await client.call('network.connect', { ssid });
    // Each join goes on top of the wearer's own choices.
    expect((await client.call('network.saved')).map((n) => [n.ssid, n.priority])).toEqual([
      ['C', 2],
      ['B', 1],
      ['A', 0],
    ]);
    const [c, b, a] = await client.call('network.saved');
    await client.call('network.setPriority', { id: a!.id, priority: 50 });
    await client.call('network.setSupport', { id: b!.id, support: true });
    expect((await client.call('network.saved')).map((n) => [n.ssid, n.priority, n.support])).toEqual([
      ['B', 999, true],
      ['A', 50, false],
      ['C', 2, false],
    ]);
    await client.call('network.setSupport', { id: b!.id, support: false });
    const after = await client.call('network.forget', { id: c!.id });
    expect(after.map((n) => [n.ssid, n.priority, n.support])).toEqual([
      ['A', 50, false],
      ['B', 0, false],
    ]);
    expect(await errorCodeOf(client.call('network.forget', { id: c!.id }))).toBe('NETWORK_UNKNOWN_PROFILE');
    expect(await errorCodeOf(client.call('network.setPriority', { id: a!.id, priority: 1000 }))).toBe('INVALID_INPUT');
    const actions = (await client.call('network.audit', {})).entries.map((e) => `${e.action} ${e.ssid} ${e.result}`);
    // Newest first: the failed forget, the forget, support off and on, the priority, the three joins.
    expect(actions).toEqual([
      'forget null failed',
      'forget C ok',
      'set-support B ok',
      'set-support B ok',
      'set-priority A ok',
      'connect C ok',
      'connect B ok',
      'connect A ok',
      'mode null ok',
    ]);
  });

  it('refuses every change while locked (FORBIDDEN, nothing changed, nothing audited) and allows reading', async () => {
    const device = createFakeDevice({ lock: { pin: '4711' } });
    const { client } = connectHarness({ device, scopes: ['status', 'user'] });
    expect(await errorCodeOf(client.call('network.connect', HOME))).toBe('FORBIDDEN');
    expect(await errorCodeOf(client.call('network.forget', { id: 'x' }))).toBe('FORBIDDEN');
    expect(await errorCodeOf(client.call('network.setPriority', { id: 'x', priority: 1 }))).toBe('FORBIDDEN');
    expect(await errorCodeOf(client.call('network.setSupport', { id: 'x', support: true }))).toBe('FORBIDDEN');
    expect(device.network.world.profiles).toEqual([]);
    expect((await client.call('network.audit', {})).entries.filter((e) => e.who !== 'system')).toEqual([]);
    expect((await client.call('network.scan', {})).networks.length).toBeGreaterThan(0);
    await client.call('lock.unlock', { pin: '4711' });
    expect((await client.call('network.connect', HOME)).wifi?.ssid).toBe('Home');
  });

  it('a network vanishing mid-join fails it, and the next scan no longer lists it', async () => {
    const device = createFakeDevice({
      network: { duringJoin: () => void (device.network.world.air = device.network.world.air.filter((n) => n.ssid !== 'Home')) },
    });
    const { client } = connectHarness({ device });
    expect(await errorCodeOf(client.call('network.connect', HOME))).toBe('NETWORK_VANISHED');
    expect((await client.call('network.scan', {})).networks.map((n) => n.ssid)).not.toContain('Home');
  });

  it('in hotspot mode (the latch): an access point with a generated password, given only when asked; no joining', async () => {
    const device = createFakeDevice({ network: { latch: 'hotspot' } });
    const { client } = connectHarness({ device });
    const events: unknown[] = [];
    client.subscribe('network.overviewChanged', (o) => events.push(o));
    const overview = await client.call('network.overview');
    expect(overview).toMatchObject({ mode: 'hotspot', hotspot: { ssid: 'Headset-TEST', active: true, security: 'wpa2-personal' }, wifi: null });
    const secret = await client.call('network.hotspotPassword');
    expect(secret).toEqual({ ssid: 'Headset-TEST', password: 'hotspot-pass-1234' });
    expect(JSON.stringify([overview, events, await client.call('network.audit', {})])).not.toContain(secret.password);
    expect(device.network.secrets.redact(`pw ${secret.password}`)).toBe('pw [redacted]');
    expect(await errorCodeOf(client.call('network.connect', HOME))).toBe('NETWORK_HOTSPOT_MODE');
    expect((await client.call('network.audit', {})).entries.map((e) => e.action)).toContain('hotspot-start');
    // Remote support (status scope only) cannot read it.
    const support = connectHarness({ device, scopes: ['status'] });
    expect(await errorCodeOf(support.client.call('network.hotspotPassword'))).toBe('FORBIDDEN');
  });
});
