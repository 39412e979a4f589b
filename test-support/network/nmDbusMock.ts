import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';

/** Why the dbusmock rig cannot run here, or undefined when it can. */
export function dbusMockMissing(): string | undefined {
  if (!existsSync('/usr/bin/nmcli')) return 'nmcli is not installed (Debian package network-manager)';
  if (!existsSync('/usr/bin/dbus-daemon')) return 'dbus-daemon is not installed (Debian package dbus)';
  if (spawnSync(PYTHON, ['-c', 'import dbusmock, dbus'], { stdio: 'ignore' }).status !== 0) return 'python3-dbusmock is not installed';
  return undefined;
}

/**
 * NetworkManager's D-Bus API as python-dbusmock's `networkmanager` template serves it, on a private
 * bus (REFERENCE: "nmcli against python3-dbusmock"): the real nmcli talks to it through
 * DBUS_SYSTEM_BUS_ADDRESS. Devices and access points are added with the template's mock methods.
 */
export async function startNmDbusMock() {
  const dir = await mkdtemp(join(tmpdir(), 'nm-dbusmock-'));
  const address = `unix:path=${join(dir, 'bus.sock')}`;
  const daemon = spawnSync('dbus-daemon', ['--session', `--address=${address}`, '--fork', '--print-pid'], { encoding: 'utf8' });
  if (daemon.status !== 0) throw new Error(`dbus-daemon: ${daemon.stderr}`);
  const busPid = Number(daemon.stdout.trim());
  const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: address, DBUS_SESSION_BUS_ADDRESS: address };
  const mock: ChildProcess = spawn(PYTHON, ['-m', 'dbusmock', '--system', '--template', 'networkmanager'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const mockMethod = (method: string, ...args: (string | number)[]) => {
    const script = `import dbus,sys,json
bus = dbus.bus.BusConnection(${JSON.stringify(address)})
o = bus.get_object('org.freedesktop.NetworkManager', '/org/freedesktop/NetworkManager')
print(getattr(dbus.Interface(o, 'org.freedesktop.DBus.Mock'), sys.argv[1])(*json.loads(sys.argv[2])))`;
    const run = spawnSync(PYTHON, ['-c', script, method, JSON.stringify(args)], { encoding: 'utf8', env });
    if (run.status !== 0) throw new Error(`${method}: ${run.stderr}`);
    return run.stdout.trim();
  };
  // Up once NetworkManager's name answers.
  for (let i = 0; ; i++) {
    if (spawnSync('nmcli', ['general', 'status'], { env, stdio: 'ignore' }).status === 0) break;
    if (i > 100) throw new Error('the NetworkManager mock did not come up');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    env,
    addWifiDevice: (name: string) => mockMethod('AddWiFiDevice', name, name, 30),
    addEthernetDevice: (name: string, state = 100) => mockMethod('AddEthernetDevice', name, name, state),
    /** security: 0 open, 0x108 WPA2 personal (PSK, CCMP), 0x200 enterprise (802.1X). */
    addAccessPoint: (device: string, id: string, ssid: string, strength: number, security: number) =>
      mockMethod(
        'AddAccessPoint',
        `/org/freedesktop/NetworkManager/Devices/${device}`,
        id,
        ssid,
        '00:11:22:33:44:55',
        2,
        2412,
        54000,
        strength,
        security,
      ),
    removeAccessPoint: (device: string, id: string) =>
      mockMethod('RemoveAccessPoint', `/org/freedesktop/NetworkManager/Devices/${device}`, `/org/freedesktop/NetworkManager/AccessPoint/${id}`),
    async stop() {
      mock.kill();
      try {
        process.kill(busPid);
      } catch {
        // already gone
      }
      await readFile('/dev/null');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
