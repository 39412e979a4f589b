import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LINUX_PATHS } from '../profiles/linuxProfile.js';
import { assembleImageRoot, checkImageRoot, isWritable, mountOf, type Mount } from './readOnlyRoot.js';

const NATIVE = join(import.meta.dirname, '..', '..', '..', 'native');
const scratch = mkdtempSync(join(tmpdir(), 'readonly-root-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let made = 0;
/** native/ copied, changed by `edit`, and assembled into a root tree; the check's answer. */
async function checkVariant(edit?: (native: string) => void) {
  const dir = join(scratch, String(made++));
  const native = join(dir, 'native');
  cpSync(NATIVE, native, { recursive: true });
  edit?.(native);
  const root = join(dir, 'root');
  await assembleImageRoot(native, root);
  return checkImageRoot(root);
}

function rewrite(path: string, change: (text: string) => string): void {
  writeFileSync(path, change(readFileSync(path, 'utf8')));
}

describe('the read-only root of the image (native/image)', () => {
  it('puts everything the services write on a writable mount, and makes the folders they need at boot', async () => {
    const check = await checkVariant();
    expect(check.problems).toEqual([]);
    // The tree is what the image says: a read-only root, /var from the data partition, /etc an overlay.
    expect(mountOf('/usr/lib/headset-control', check.mounts).options).toContain('ro');
    expect(mountOf(LINUX_PATHS.stateDir, check.mounts)).toMatchObject({ where: '/var', type: 'ext4' });
    expect(mountOf('/etc/localtime', check.mounts)).toMatchObject({ where: '/etc', type: 'overlay' });
    // The paths come from the code: the user data registry's and the profile's are among them.
    const written = check.written.map((w) => w.path);
    expect(written).toEqual(
      expect.arrayContaining([`${LINUX_PATHS.stateDir}/lock.json`, `${LINUX_PATHS.persistPartition}/calibration`, LINUX_PATHS.socket]),
    );
  }, 60_000);

  it('reports the user data on the read-only root when /var is not the data partition', async () => {
    const check = await checkVariant((native) => rewrite(join(native, 'image/fstab'), (t) => t.replace(/^\/dev\/mapper\/data .*$/m, '')));
    const paths = check.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining([`${LINUX_PATHS.stateDir}/lock.json`, LINUX_PATHS.logDir, '/var/lib/headset-ui']));
    expect(check.problems.find((p) => p.path === `${LINUX_PATHS.stateDir}/lock.json`)?.problem).toMatch(/user data class "pin".*\/ is read-only/);
  }, 60_000);

  it('reports a writable place a unit names on the read-only root', async () => {
    const check = await checkVariant((native) =>
      rewrite(join(native, 'systemd/headsetd.service'), (t) => t.replace(/^ReadWritePaths=/m, 'ReadWritePaths=/opt/headset ')),
    );
    expect(check.problems).toEqual([
      expect.objectContaining({ path: '/opt/headset', problem: expect.stringMatching(/headsetd\.service \(ReadWritePaths=\)/) }),
    ]);
  }, 60_000);

  it("reports the support view's folder missing at boot, or made group-writable (sshd's chroot rule)", async () => {
    const missing = await checkVariant((native) =>
      rewrite(join(native, 'image/tmpfiles.d/headset.conf'), (t) => t.replace(/^[a-z]\+?\s+\/run\/headset-support[ /].*$/gm, '')),
    );
    // The folder and each of the view's and session's folders in it.
    expect(missing.problems).toEqual(
      ['', '/view', '/view/logs', '/session', '/keys'].map((sub) =>
        expect.objectContaining({ path: `${LINUX_PATHS.supportRunDir}${sub}`, problem: expect.stringMatching(/nothing in the image makes it/) }),
      ),
    );
    const loose = await checkVariant((native) =>
      rewrite(join(native, 'image/tmpfiles.d/headset.conf'), (t) => t.replace(/^(d\s+\/run\/headset-support\s+)0755/m, '$10775')),
    );
    expect(loose.problems).toEqual([expect.objectContaining({ path: LINUX_PATHS.supportRunDir, problem: expect.stringMatching(/mode 775/) })]);
  }, 60_000);

  it('counts an overlay writable only when its upper layer is', () => {
    const root: Mount = { where: '/', type: 'ext4', options: ['ro'], source: 'fstab' };
    const variable: Mount = { where: '/var', type: 'ext4', options: ['rw'], source: 'fstab' };
    const overlay = (upper: string): Mount => ({
      where: '/etc',
      type: 'overlay',
      options: ['lowerdir=/etc', `upperdir=${upper}`, 'workdir=/x'],
      source: 'etc.mount',
    });
    expect(isWritable(overlay('/var/lib/etc-overlay/upper'), [root, variable, overlay('/var/lib/etc-overlay/upper')])).toBe(true);
    expect(isWritable(overlay('/usr/etc-upper'), [root, variable, overlay('/usr/etc-upper')])).toBe(false);
    const noUpper: Mount = { where: '/etc', type: 'overlay', options: ['lowerdir=/etc:/usr/etc'], source: 'etc.mount' };
    expect(isWritable(noUpper, [root, noUpper])).toBe(false);
  });
});
