import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why a real NetworkManager cannot run in a namespace here, or undefined when it can. */
export function namespaceRigMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, veth pairs, mounts)';
  for (const [binary, pkg] of [
    ['/usr/sbin/NetworkManager', 'network-manager'],
    ['/usr/sbin/dnsmasq', 'dnsmasq-base'],
    ['/usr/sbin/ip', 'iproute2'],
    ['/usr/bin/dbus-daemon', 'dbus'],
  ] as const) {
    if (!existsSync(binary)) return `${binary} is missing (Debian package ${pkg})`;
  }
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return 'this kernel or container has no network namespaces';
  return undefined;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
}

/**
 * A real NetworkManager (REFERENCE: "A real NetworkManager in a network namespace"): its own
 * namespace holding one end of a veth pair, dnsmasq serving DHCP on the other end, NetworkManager
 * on its own bus with keyfile profiles in a folder of ours, /sys read-only so it manages the veth
 * without udev. Wi-Fi profiles can be added and changed (no radio: they never activate).
 */
export async function startNetworkManagerInNamespace() {
  const dir = await mkdtemp(join(tmpdir(), 'nm-netns-'));
  const tag = Math.random().toString(16).slice(2, 8);
  const ns = `hc${tag}`;
  const host = `hcv${tag}a`;
  const peer = `hcv${tag}b`;
  const subnet = `10.${77 + (parseInt(tag.slice(0, 2), 16) % 100)}.${parseInt(tag.slice(2, 4), 16)}`;
  const keyfiles = join(dir, 'system-connections');
  await mkdir(keyfiles, { mode: 0o700 });
  const config = join(dir, 'nm.conf');
  await writeFile(config, `[main]\nplugins=keyfile\ndhcp=internal\ndns=none\n[keyfile]\npath=${keyfiles}\n[connectivity]\nenabled=false\n`);
  const children: ChildProcess[] = [];
  run('ip', ['netns', 'add', ns]);
  run('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', peer]);
  run('ip', ['link', 'set', peer, 'netns', ns]);
  run('ip', ['addr', 'add', `${subnet}.1/24`, 'dev', host]);
  run('ip', ['link', 'set', host, 'up']);
  children.push(
    spawn(
      'dnsmasq',
      [
        '--no-daemon',
        `--interface=${host}`,
        '--bind-interfaces',
        '--except-interface=lo',
        `--dhcp-range=${subnet}.50,${subnet}.99,1h`,
        '--port=0',
        `--dhcp-leasefile=${join(dir, 'leases')}`,
      ],
      { stdio: 'ignore' },
    ),
  );
  const address = `unix:path=${join(dir, 'bus.sock')}`;
  const bus = spawnSync('dbus-daemon', ['--session', `--address=${address}`, '--fork', '--print-pid'], { encoding: 'utf8' });
  if (bus.status !== 0) throw new Error(`dbus-daemon: ${bus.stderr}`);
  const busPid = Number(bus.stdout.trim());
  const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: address };
  const script = `mount -o remount,ro /sys; mkdir -p /run/NetworkManager; mount -t tmpfs tmpfs /run/NetworkManager; exec NetworkManager --no-daemon --config=${config} --state-file=${join(dir, 'state')}`;
  const networkManager = spawn('ip', ['netns', 'exec', ns, 'sh', '-c', script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(networkManager);
  let log = '';
  networkManager.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const stop = async () => {
    for (const child of children) child.kill();
    try {
      process.kill(busPid);
    } catch {
      // already gone
    }
    spawnSync('ip', ['link', 'del', host]);
    spawnSync('ip', ['netns', 'del', ns]);
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    if (spawnSync('nmcli', ['general', 'status'], { env, stdio: 'ignore' }).status === 0) break;
    if (i > 150) {
      await stop();
      throw new Error(`NetworkManager did not come up in its namespace:\n${log.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { env, keyfiles, peer, subnet, log: () => log, stop };
}
