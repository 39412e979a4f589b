import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { NmcliNetworkManager } from '../../main/services/network/NmcliNetworkManager.js';
import { NmcliRunner } from '../../main/services/network/NmcliRunner.js';
import type { NetworkStatus } from '../../src/api/contract/network.js';
import { StateChannel } from '../../src/api/stateChannel.js';
import { NetworkProvisioner } from '../../src/network/NetworkProvisioner.js';
import { SecretRegistry } from '../../src/secrets/SecretRegistry.js';
import { MemoryAuditTrail } from '../../test-support/network/memoryNetwork.js';
import { dbusMockMissing, startNmDbusMock } from '../../test-support/network/nmDbusMock.js';
import { percentile, type BenchResult } from '../harness.js';

const ROUNDS = 10;
const GOAL = 1.1;
const SSID = 'Bench: network';
const PASSWORD = 'bench-passphrase-1';

/**
 * Connect → online, the same peer (python-dbusmock's NetworkManager on a private bus, real nmcli):
 * through our whole path (NetworkProvisioner's checks, the profile written by nmcli's editor with
 * the key on stdin, `connection up`; the state is read behind the answer) against nmcli alone (`connection add`
 * with the key on argv, `connection up`), each until it says the network is joined (checked after).
 */
export async function benchConnectToOnline(say: (line: string) => void): Promise<BenchResult[]> {
  const missing = dbusMockMissing();
  if (missing) {
    say(`skipped: ${missing}`);
    return [];
  }
  const rig = await startNmDbusMock();
  try {
    rig.addWifiDevice('wlan0');
    rig.addAccessPoint('wlan0', 'ap1', SSID, 80, 0x108);
    const nmcli = (...args: string[]) => {
      const run = spawnSync('nmcli', ['-t', '-e', 'yes', ...args], { env: { ...rig.env, LC_ALL: 'C' }, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`nmcli ${args.join(' ')}: ${run.stderr}`);
      return run.stdout;
    };
    // Each clock stops when its path says it is connected (our answer; nmcli's `connection up`
    // returning, which waits for the activation); that the device is connected is checked after
    // the clock, for both (the mock marks no access point in use, so the device's state says it).
    const inUse = () => nmcli('-f', 'DEVICE,STATE', 'device', 'status').split('\n').includes('wlan0:connected');
    const deleteAll = () => {
      for (const line of nmcli('-f', 'UUID,TYPE', 'connection', 'show').split('\n')) {
        const [uuid, type] = line.split(':');
        if (type === '802-11-wireless') nmcli('connection', 'delete', 'uuid', uuid!);
      }
    };
    const status = new StateChannel<NetworkStatus>({ state: 'offline', since: new Date().toISOString() });
    // The read our connect starts behind its answer (as headsetd's watcher does). The bench's own
    // nmcli runs are synchronous and hold the event loop, so unawaited that read would spill into
    // the next timed round; each round waits for it after its clock stops.
    let behindTheAnswer: Promise<unknown> = Promise.resolve();
    const provisioner: NetworkProvisioner = new NetworkProvisioner({
      backend: new NmcliNetworkManager(new NmcliRunner({ env: rig.env }), { wifiDevice: 'wlan0' }),
      latch: { read: async () => 'client' },
      audit: new MemoryAuditTrail(),
      secrets: new SecretRegistry(),
      status,
      hotspot: { ssid: 'Headset-BENCH', generatePassword: () => 'unused-password' },
      scanFreshMs: 3_600_000,
      afterChange: (): Promise<unknown> => (behindTheAnswer = provisioner.refresh()),
    });
    await provisioner.start();
    // The wearer picks from a list just scanned: the scan is fresh when they connect.
    await provisioner.scan(true);

    const ours: number[] = [];
    const plain: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      deleteAll();
      let started = performance.now();
      const overview = await provisioner.connect({ ssid: SSID, password: PASSWORD, hidden: false, support: false, via: 'cli' });
      ours.push(performance.now() - started);
      if (overview.wifi?.ssid !== SSID || !inUse()) throw new Error('our connect did not come up');
      await behindTheAnswer;

      deleteAll();
      started = performance.now();
      nmcli(
        'connection',
        'add',
        'type',
        'wifi',
        'ifname',
        'wlan0',
        'con-name',
        'plain',
        'ssid',
        SSID,
        'wifi-sec.key-mgmt',
        'wpa-psk',
        'wifi-sec.psk',
        PASSWORD,
      );
      nmcli('connection', 'up', 'id', 'plain', 'ifname', 'wlan0');
      plain.push(performance.now() - started);
      if (!inUse()) throw new Error('nmcli alone did not come up');
    }
    deleteAll();
    ours.sort((a, b) => a - b);
    plain.sort((a, b) => a - b);
    const ratio = percentile(ours, 50) / percentile(plain, 50);
    say(`ours median ${percentile(ours, 50).toFixed(0)} ms, nmcli alone ${percentile(plain, 50).toFixed(0)} ms, ratio ${ratio.toFixed(2)}`);
    return [
      {
        name: 'network connect → online (WPA2, python-dbusmock peer)',
        metric: 'median time, ours / nmcli alone',
        value: Number(ratio.toFixed(2)),
        unit: '×',
        goal: `≤ ${GOAL}×`,
        met: ratio <= GOAL,
        details: {
          rounds: ROUNDS,
          oursMedianMs: Number(percentile(ours, 50).toFixed(1)),
          oursP90Ms: Number(percentile(ours, 90).toFixed(1)),
          nmcliMedianMs: Number(percentile(plain, 50).toFixed(1)),
          nmcliP90Ms: Number(percentile(plain, 90).toFixed(1)),
        },
      },
    ];
  } finally {
    await rig.stop();
  }
}
