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
  { binary: postgresInitdb(), pkg: 'postgresql', why: "the fleet server's tests run against a real PostgreSQL they start (initdb, pg_ctl)" },
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
