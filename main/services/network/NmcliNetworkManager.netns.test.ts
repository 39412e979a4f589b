import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/api/errors.js';
import { ssidToHex } from '../../../src/network/ssid.js';
import { SecretRegistry } from '../../../src/secrets/SecretRegistry.js';
import type { NetworkStatus } from '../../../src/api/contract/network.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { NetworkProvisioner } from '../../../src/network/NetworkProvisioner.js';
import { watchCommandLines, type CmdlineReport } from '../../../test-support/network/cmdlineWatcher.js';
import { MemoryAuditTrail } from '../../../test-support/network/memoryNetwork.js';
import { namespaceRigMissing, startNetworkManagerInNamespace } from '../../../test-support/network/nmNamespace.js';
import { NmcliNetworkManager } from './NmcliNetworkManager.js';
import { NmcliRunner } from './NmcliRunner.js';

const missing = namespaceRigMissing();
if (missing) console.warn(`skipping the tests against NetworkManager in a network namespace: ${missing}`);

const SSID = 'Lab: "5 GHz" \\ 東京';
const FIRST = 'first-secret-passphrase';
const SECOND = 'second-secret-passphrase';

describe.skipIf(missing)('the nmcli adapter against a real NetworkManager in a network namespace', () => {
  let rig: Awaited<ReturnType<typeof startNetworkManagerInNamespace>>;
  let nm: NmcliNetworkManager;
  let watcher: { stop(): Promise<CmdlineReport> };

  beforeAll(async () => {
    rig = await startNetworkManagerInNamespace();
    const secrets = new SecretRegistry();
    secrets.register(FIRST, 'first');
    secrets.register(SECOND, 'second');
    nm = new NmcliNetworkManager(new NmcliRunner({ env: rig.env, secrets }), { activationTimeoutS: 5 });
    watcher = watchCommandLines([FIRST, SECOND]);
  }, 60_000);

  afterAll(async () => {
    await rig?.stop();
  });

  it('Ethernet autoconnects over the veth and gets an address from dnsmasq; the state port reads online', async () => {
    for (let i = 0; i < 100 && !(await nm.ethernet()).connected; i++) await new Promise((resolve) => setTimeout(resolve, 200));
    const ethernet = await nm.ethernet();
    expect(ethernet).toMatchObject({ present: true, carrier: true, connected: true });
    expect(ethernet.address).toMatch(new RegExp(`^${rig.subnet.replace(/\./g, '\\.')}\\.\\d+/24$`));
    expect(await nm.connectivity()).toBe('online');
  }, 30_000);

  it('adds a Wi-Fi profile with its key on stdin: the psk lands in the keyfile (0600); no radio, so activation fails with a typed error', async () => {
    const error = await nm
      .join({ ssidHex: ssidToHex(SSID), security: 'wpa2-personal', password: FIRST, hidden: false, priority: 5, powerSaveOff: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(['NETWORK_NOT_FOUND', 'NETWORK_CONNECT_FAILED']).toContain((error as AppError).code);
    const [profile] = await nm.profiles();
    expect(profile).toMatchObject({ ssidHex: ssidToHex(SSID), security: 'wpa2-personal', priority: 5, powerSaveOff: false, hasPassword: true });
    const [file] = await readdir(rig.keyfiles);
    const keyfile = await readFile(join(rig.keyfiles, file!), 'utf8');
    expect(keyfile).toContain(`psk=${FIRST}`);
    expect((await stat(join(rig.keyfiles, file!))).mode & 0o777).toBe(0o600);
  });

  it('changes the key of the saved profile (stdin again), its priority and power saving (a support network), then deletes it', async () => {
    const [profile] = await nm.profiles();
    await nm
      .join({
        ssidHex: profile!.ssidHex,
        security: 'wpa2-personal',
        password: SECOND,
        hidden: false,
        priority: 6,
        powerSaveOff: false,
        profileId: profile!.id,
      })
      .catch(() => undefined);
    await nm.modify(profile!.id, { priority: 999, powerSaveOff: true });
    const [changed] = await nm.profiles();
    expect(changed).toMatchObject({ id: profile!.id, priority: 999, powerSaveOff: true });
    const [file] = await readdir(rig.keyfiles);
    const keyfile = await readFile(join(rig.keyfiles, file!), 'utf8');
    expect(keyfile).toContain(`psk=${SECOND}`);
    expect(keyfile).not.toContain(FIRST);
    expect(keyfile).toMatch(/powersave=2/);
    await nm.remove(profile!.id);
    expect(await nm.profiles()).toEqual([]);
    expect(await readdir(rig.keyfiles)).toEqual([]);
  });

  it('a configuration reset forgets the wearer’s profiles and their keyfiles, and keeps the support network at priority 999', async () => {
    const wearer = 'Wearer: home';
    const support = 'Support desk';
    for (const [ssid, key] of [
      [wearer, FIRST],
      [support, SECOND],
    ] as const)
      await nm
        .join({ ssidHex: ssidToHex(ssid), security: 'wpa2-personal', password: key, hidden: false, priority: 3, powerSaveOff: false })
        .catch(() => undefined);
    const supportProfile = (await nm.profiles()).find((p) => p.ssidHex === ssidToHex(support))!;
    // Marked as support, then its priority lowered by hand.
    await nm.modify(supportProfile.id, { priority: 4, powerSaveOff: true });
    const status = new StateChannel<NetworkStatus>({ state: 'offline', since: new Date(0).toISOString() });
    const audit = new MemoryAuditTrail();
    const provisioner = new NetworkProvisioner({
      backend: nm,
      latch: { read: async () => 'client' },
      audit,
      secrets: new SecretRegistry(),
      status,
      hotspot: { ssid: 'Headset-TEST', generatePassword: () => 'unused-password' },
    });
    expect(await provisioner.resetToDefaults()).toEqual({ forgotten: 1, kept: 1 });
    expect(await nm.profiles()).toEqual([expect.objectContaining({ id: supportProfile.id, priority: 999, powerSaveOff: true, hasPassword: true })]);
    const files = await readdir(rig.keyfiles);
    expect(files).toHaveLength(1);
    const keyfile = await readFile(join(rig.keyfiles, files[0]!), 'utf8');
    expect(keyfile).toContain(`psk=${SECOND}`);
    expect(keyfile).toMatch(/autoconnect-priority=999/);
    expect(JSON.stringify(audit.entries)).not.toMatch(new RegExp(`${FIRST}|${SECOND}`));
    await nm.remove(supportProfile.id);
  }, 60_000);

  it('while it all ran, no process’s command line held either password (and the watcher saw the nmcli runs)', async () => {
    const report = await watcher.stop();
    expect(report.nmcliRuns).toBeGreaterThan(5);
    expect(report.hits).toBe(0);
  });
});
