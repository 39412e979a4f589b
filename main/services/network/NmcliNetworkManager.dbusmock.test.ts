import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/api/errors.js';
import { ssidToHex } from '../../../src/network/ssid.js';
import { SecretRegistry } from '../../../src/secrets/SecretRegistry.js';
import { watchCommandLines, type CmdlineReport } from '../../../test-support/network/cmdlineWatcher.js';
import { dbusMockMissing, startNmDbusMock } from '../../../test-support/network/nmDbusMock.js';
import { NmcliNetworkManager } from './NmcliNetworkManager.js';
import { NmcliRunner } from './NmcliRunner.js';

const missing = dbusMockMissing();
if (missing) console.warn(`skipping the nmcli tests against python-dbusmock: ${missing}`);

const SSIDS = {
  colon: 'Café: "free" wifi',
  backslash: "back\\slash: it's",
  nonAscii32: `${'東'.repeat(10)}é`,
  enterprise: 'Office 802.1X',
};
const PASSWORD = 'hunter2-correct-horse';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'resolved';
}

describe.skipIf(missing)('the nmcli adapter against the real nmcli and python-dbusmock’s NetworkManager', () => {
  let rig: Awaited<ReturnType<typeof startNmDbusMock>>;
  let nm: NmcliNetworkManager;
  let watcher: { stop(): Promise<CmdlineReport> };
  const secrets = new SecretRegistry();

  beforeAll(async () => {
    rig = await startNmDbusMock();
    rig.addWifiDevice('wlan0');
    rig.addEthernetDevice('eth0');
    rig.addAccessPoint('wlan0', 'ap1', SSIDS.colon, 80, 0x108);
    rig.addAccessPoint('wlan0', 'ap2', SSIDS.backslash, 55, 0);
    rig.addAccessPoint('wlan0', 'ap3', SSIDS.nonAscii32, 40, 0x108);
    rig.addAccessPoint('wlan0', 'ap4', SSIDS.enterprise, 30, 0x200);
    secrets.register(PASSWORD, 'test wi-fi password');
    nm = new NmcliNetworkManager(new NmcliRunner({ env: rig.env, secrets }), { activationTimeoutS: 10, wifiDevice: 'wlan0' });
    watcher = watchCommandLines([PASSWORD]);
  }, 30_000);

  afterAll(async () => {
    await rig?.stop();
  });

  it('scans: every SSID exact through SSID-HEX (colons, backslashes, quotes, spaces, 32 bytes of non-ASCII), with signal and security', async () => {
    const points = await nm.scan(true);
    const bySsid = new Map(points.map((p) => [p.ssidHex, p]));
    expect(bySsid.get(ssidToHex(SSIDS.colon))).toMatchObject({ signal: 80, security: 'wpa2-personal', inUse: false });
    expect(bySsid.get(ssidToHex(SSIDS.backslash))).toMatchObject({ signal: 55, security: 'open' });
    expect(bySsid.get(ssidToHex(SSIDS.nonAscii32))).toMatchObject({ signal: 40, security: 'wpa2-personal' });
    expect(bySsid.get(ssidToHex(SSIDS.enterprise))).toMatchObject({ security: 'enterprise' });
  });

  it('reads Ethernet and the online state (before any Wi-Fi activation: the mock then moves its devices’ states)', async () => {
    const ethernet = await nm.ethernet();
    expect(ethernet, JSON.stringify(ethernet)).toMatchObject({ present: true, carrier: true, connected: true });
    expect(await nm.connectivity()).toBe('online');
  });

  it('adds a WPA2 profile with its key given on stdin, activates it, lists it exactly, deletes it', async () => {
    const { profileId } = await nm.join({
      ssidHex: ssidToHex(SSIDS.colon),
      security: 'wpa2-personal',
      password: PASSWORD,
      hidden: false,
      priority: 7,
      powerSaveOff: true,
    });
    expect(await nm.activeWifi()).toEqual({ ssidHex: ssidToHex(SSIDS.colon), signal: 80, profileId });
    const profiles = await nm.profiles();
    expect(profiles).toEqual([
      {
        id: profileId,
        ssidHex: ssidToHex(SSIDS.colon),
        security: 'wpa2-personal',
        priority: 7,
        hidden: false,
        powerSaveOff: true,
        hasPassword: true,
      },
    ]);
    // The key went in: nmcli shows it when asked for secrets (what NetworkManager keeps in the profile).
    const shown = await new NmcliRunner({ env: rig.env }).run(['-s', '-f', '802-11-wireless-security.psk', 'connection', 'show', 'uuid', profileId]);
    expect(shown.trim()).toBe(`802-11-wireless-security.psk:${PASSWORD}`);
    await nm.remove(profileId);
    expect(await nm.profiles()).toEqual([]);
    expect(await codeOf(nm.remove(profileId))).toBe('NETWORK_UNKNOWN_PROFILE');
  });

  it('adds open and 32-byte non-ASCII profiles named by their hex, hidden too', async () => {
    const open = await nm.join({ ssidHex: ssidToHex(SSIDS.backslash), security: 'open', hidden: false, priority: 0, powerSaveOff: false });
    const wide = await nm.join({
      ssidHex: ssidToHex(SSIDS.nonAscii32),
      security: 'wpa2-personal',
      password: PASSWORD,
      hidden: true,
      priority: 3,
      powerSaveOff: false,
    });
    const profiles = await nm.profiles();
    expect(profiles.map((p) => [p.ssidHex, p.security, p.hidden, p.priority]).sort()).toEqual(
      [
        [ssidToHex(SSIDS.backslash), 'open', false, 0],
        [ssidToHex(SSIDS.nonAscii32), 'wpa2-personal', true, 3],
      ].sort(),
    );
    await nm.remove(open.profileId);
    await nm.remove(wide.profileId);
  });

  it('reads several saved profiles in two nmcli runs, whatever their number (the list, then one show of every UUID)', async () => {
    const runs: string[][] = [];
    const counting = new NmcliRunner({ env: rig.env, secrets });
    const counted = new NmcliNetworkManager({ run: (args, options) => (runs.push([...args]), counting.run(args, options)) } as NmcliRunner, {
      activationTimeoutS: 10,
      wifiDevice: 'wlan0',
    });
    const joined = [];
    for (const [ssid, priority] of [
      [SSIDS.colon, 5],
      [SSIDS.backslash, 2],
      [SSIDS.nonAscii32, 9],
    ] as const)
      joined.push(
        await nm.join({
          ssidHex: ssidToHex(ssid),
          security: ssid === SSIDS.backslash ? 'open' : 'wpa2-personal',
          password: ssid === SSIDS.backslash ? undefined : PASSWORD,
          hidden: false,
          priority,
          powerSaveOff: ssid === SSIDS.nonAscii32,
        }),
      );
    const profiles = await counted.profiles();
    expect(runs).toHaveLength(2);
    expect(profiles.map((p) => [p.id, p.ssidHex, p.security, p.priority, p.powerSaveOff, p.hasPassword]).sort()).toEqual(
      [
        [joined[0]!.profileId, ssidToHex(SSIDS.colon), 'wpa2-personal', 5, false, true],
        [joined[1]!.profileId, ssidToHex(SSIDS.backslash), 'open', 2, false, false],
        [joined[2]!.profileId, ssidToHex(SSIDS.nonAscii32), 'wpa2-personal', 9, true, true],
      ].sort(),
    );
    for (const { profileId } of joined) await nm.remove(profileId);
    expect(await counted.profiles()).toEqual([]);
  });

  it.skip('modifies a profile (priority, power saving) — the mock has no Update2 (REFERENCE); covered by the NetworkManager-in-a-namespace test', () =>
    undefined);
  it.skip('a wrong key and a network vanishing mid-connect — the mock activates any profile; the simulated NetworkManager and the exit-code mapping test them', () =>
    undefined);

  it('maps nmcli missing and NetworkManager not answering', async () => {
    expect(await codeOf(new NmcliNetworkManager(new NmcliRunner({ binary: '/nonexistent/nmcli' })).scan(false))).toBe('NETWORK_TOOL_MISSING');
    const noNetworkManager = new NmcliNetworkManager(new NmcliRunner({ env: { ...rig.env, DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/bus' } }));
    expect(await codeOf(noNetworkManager.connectivity())).toBe('NETWORK_TOOL_FAILED');
  });

  it('while it all ran, no process’s command line held the password (and the watcher saw the nmcli runs)', async () => {
    const report = await watcher.stop();
    expect(report.nmcliRuns).toBeGreaterThan(5);
    expect(report.hits).toBe(0);
  });
});
