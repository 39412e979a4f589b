// The Debian packages the tests use as independent peers or drivers. As root (CI), installs what is
// missing; otherwise stops and names them.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

// Debian keeps PostgreSQL's server programs under /usr/lib/postgresql/<version>/bin, off the PATH.
function postgresInitdb() {
  const root = '/usr/lib/postgresql';
  const found = existsSync(root) ? readdirSync(root).find((version) => existsSync(`${root}/${version}/bin/initdb`)) : undefined;
  return found ? `${root}/${found}/bin/initdb` : `${root}/15/bin/initdb`;
}

const NEEDED = [
  { binary: '/usr/bin/chromium', pkg: 'chromium', why: 'e2e tests and benchmarks drive the UI in it' },
  { binary: '/usr/bin/grub-editenv', pkg: 'grub-common', why: 'reads and writes the GRUB boot environment we write' },
  { binary: '/usr/bin/fw_printenv', pkg: 'libubootenv-tool', why: 'fw_printenv/fw_setenv read and write the U-Boot environment we write' },
  { binary: '/usr/bin/zstd', pkg: 'zstd', why: 'reference tool' },
  { binary: '/usr/sbin/logrotate', pkg: 'logrotate', why: 'checks native/logrotate with logrotate -d' },
  { binary: '/usr/bin/udevadm', pkg: 'udev', why: 'parses native/udev rules with udevadm test' },
  {
    binary: '/usr/bin/systemd-analyze',
    pkg: 'systemd',
    why: 'rates native/systemd units with systemd-analyze security --offline=true; systemd-tmpfiles builds the read-only image check',
  },
  { binary: postgresInitdb(), pkg: 'postgresql', why: "the fleet server's tests run against a real PostgreSQL they start (initdb, pg_ctl)" },
  {
    binary: '/usr/bin/nmcli',
    pkg: 'network-manager',
    why: 'the network adapter is tested with the real nmcli and a real NetworkManager in a network namespace',
  },
  {
    binary: '/usr/lib/python3/dist-packages/dbusmock/__init__.py',
    pkg: 'python3-dbusmock',
    why: "NetworkManager's D-Bus API mocked on a private bus for nmcli",
  },
  { binary: '/usr/bin/dbus-daemon', pkg: 'dbus', why: 'a private bus for the NetworkManager mock and for NetworkManager in a namespace' },
  { binary: '/usr/sbin/dnsmasq', pkg: 'dnsmasq-base', why: 'DHCP on the host end of the veth for NetworkManager in a namespace' },
  { binary: '/usr/sbin/ip', pkg: 'iproute2', why: 'network namespaces and veth pairs in the network tests' },
  { binary: '/usr/sbin/sshd', pkg: 'openssh-server', why: 'a real sshd on 127.0.0.1 is the support relay and serves the read-only sftp view' },
  { binary: '/usr/bin/ssh', pkg: 'openssh-client', why: 'the reverse tunnel of remote support (ssh -N -R)' },
  { binary: '/usr/sbin/cryptsetup', pkg: 'cryptsetup-bin', why: 'LUKS2 luksFormat, luksDump and erase on image files prove the crypto-erase' },
  { binary: '/usr/bin/fscrypt', pkg: 'fscrypt', why: 'per-class encryption policies on a loop-mounted ext4 image' },
  { binary: '/usr/sbin/mkfs.ext4', pkg: 'e2fsprogs', why: 'ext4 images for fscrypt and the delta benchmarks' },
  { binary: '/usr/bin/restic', pkg: 'restic', why: 'the backup engine' },
  { binary: '/usr/bin/rclone', pkg: 'rclone', why: "restic's REST backend (rclone serve restic --append-only) for cloud backups in tests" },
  { binary: '/usr/bin/xdelta3', pkg: 'xdelta3', why: 'reference tool for delta sizes' },
  { binary: '/usr/bin/python3', pkg: 'python3', why: "the README's update recipe serves its repository with python3 -m http.server" },
];

const missing = NEEDED.filter((n) => !existsSync(n.binary));
if (missing.length === 0) process.exit(0);

const names = missing.map((m) => m.pkg);
if (process.getuid?.() !== 0) {
  console.error(
    `Missing Debian packages: ${names.join(' ')}\n${missing.map((m) => `  ${m.pkg}: ${m.why}`).join('\n')}\nInstall them with: sudo apt-get install -y ${names.join(' ')}`,
  );
  process.exit(1);
}
console.log(`Installing ${names.join(' ')} (apt-get)…`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { stdio: 'inherit', env });
