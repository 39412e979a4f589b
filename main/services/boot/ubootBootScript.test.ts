import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootArguments, selectBootSlot } from '../../../src/boot/bootSelection.js';

// native/uboot/boot.cmd is U-Boot hush; no U-Boot runs here, so bash runs it (the script keeps to
// the hush both share: if/for/test, locals, ${...}) with stand-ins for U-Boot's commands at the
// edge: setenv/saveenv over an environment, test -e/load over a folder standing for the boot
// partition, bootm/booti/reset that print what they were given. Every environment of a table is
// compared with src/boot/bootSelection.ts, which the simulated headset runs.

const script = join(import.meta.dirname, '../../../native/uboot/boot.cmd');
const work = mkdtempSync(join(tmpdir(), 'uboot-script-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const STAND_INS = String.raw`
declare -A HS_ENV
setenv() { if [ $# -ge 2 ]; then HS_ENV[$1]="$2"; printf -v "$1" '%s' "$2"; else unset "HS_ENV[$1]"; unset "$1"; fi; }
saveenv() { local k out=''; for k in "${'${!HS_ENV[@]}'}"; do out+="$k=${'${HS_ENV[$k]}'};"; done; echo "saveenv $out"; }
test() { if [ "$1" = -e ] && [ $# -eq 4 ]; then [ "$2 $3" = "mmc 0:1" ] && [ -f "$HS_PART$4" ]; return; fi; builtin test "$@"; }
load() { if [ "$1 $2" != "mmc 0:1" ] || [ ! -f "$HS_PART$4" ]; then echo "load failed $4"; return 1; fi; echo "load $3 $4"; filesize=1000; }
bootm() { if [ -n "$HS_BAD_IMAGE" ]; then echo "bootm failed"; return 1; fi; echo "bootm $1 [$bootargs]"; exit 0; }
booti() { echo "booti $1 $2 $3 [$bootargs]"; exit 0; }
reset() { echo reset; exit 0; }
devtype=mmc; devnum=0; distro_bootpart=1
kernel_addr_r=0x40400000; ramdisk_addr_r=0x46000000; fdtcontroladdr=0x7ef00000
`;

type Environment = Record<string, string>;

/** Runs boot.cmd once per environment (one bash, a subshell each); returns what each printed. */
function runScript(environments: Environment[], partition: string, extra = ''): string[] {
  const cases = environments.map((env) => {
    const steps = [
      `HS_PART='${partition}'`,
      ...(extra ? [extra] : []),
      ...Object.entries(env).map(([name, value]) => `setenv ${name} '${value}'`),
      `source '${script}'`,
      `echo 'fell through'`,
    ];
    return `( ${steps.join('; ')} ); echo '=== end'`;
  });
  const out = execFileSync('bash', ['-s'], { input: `${STAND_INS}\n${cases.join('\n')}\n`, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return out.split('=== end\n').slice(0, environments.length);
}

/** What saveenv wrote, as name -> value. */
function savedEnvironment(out: string): Record<string, string> {
  const line = /^saveenv (.*)$/m.exec(out)?.[1] ?? '';
  return Object.fromEntries(
    line
      .split(';')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
}

/** A boot partition: slot A has a boot image, B only its kernel and initramfs as files. */
function partition(): string {
  const dir = mkdtempSync(join(work, 'boot-'));
  mkdirSync(join(dir, 'A'));
  writeFileSync(join(dir, 'A', 'boot.img'), 'FIT');
  mkdirSync(join(dir, 'recovery'));
  writeFileSync(join(dir, 'recovery', 'boot.img'), 'FIT');
  for (const slot of ['A', 'B']) {
    mkdirSync(join(dir, `slot-${slot}`));
    writeFileSync(join(dir, `slot-${slot}`, 'vmlinuz'), 'Image');
    writeFileSync(join(dir, `slot-${slot}`, 'initrd.img'), 'initrd');
  }
  return dir;
}

function table(): Environment[] {
  const orders = [undefined, 'A B', 'B A', 'B', 'C'];
  const oks = [undefined, '1', '0'];
  const lefts = [undefined, '3', '1', '0', '07'];
  const slotStates: Array<Array<[string, string | undefined]>> = oks.flatMap((ok) =>
    lefts.map(
      (left) =>
        [
          ['OK', ok],
          ['LEFT', left],
        ] as Array<[string, string | undefined]>,
    ),
  );
  const environments: Environment[] = [];
  // RECOVERY: absent, asked for ("1"), already answered ("0"), or anything else (no request).
  for (const [index, order] of orders.entries())
    for (const a of slotStates)
      for (const b of slotStates) {
        const env: Environment = {};
        const recovery = [undefined, '1', '0', 'yes', '1'][index];
        if (recovery !== undefined) env.RECOVERY = recovery;
        if (order !== undefined) env.ORDER = order;
        for (const [name, value] of a) if (value !== undefined) env[`A_${name}`] = value;
        for (const [name, value] of b) if (value !== undefined) env[`B_${name}`] = value;
        environments.push(env);
      }
  return environments;
}

describe('native/uboot/boot.cmd (run by bash with stand-ins for U-Boot)', () => {
  it('selects the slot, takes the try and saves exactly what bootSelection.ts does, for every environment of a table', () => {
    const environments = table();
    const outputs = runScript(environments, partition());
    expect(outputs).toHaveLength(environments.length);
    environments.forEach((env, index) => {
      const decision = selectBootSlot(new Map(Object.entries(env)));
      const out = outputs[index]!;
      const saved = Object.fromEntries(decision.variables);
      const context = `${JSON.stringify(env)}\n${out}`;
      expect(savedEnvironment(out), context).toEqual(saved);
      const bootargs = bootArguments(decision);
      // Recovery boots its own image; slot A its boot image; B, which has none, its kernel and initramfs.
      const expected = decision.recovery
        ? `load 0x40400000 /recovery/boot.img\nbootm 0x40400000 [${bootargs}]\n`
        : decision.slot === 'A'
          ? `load 0x40400000 /A/boot.img\nbootm 0x40400000 [${bootargs}]\n`
          : `load 0x40400000 /slot-B/vmlinuz\nload 0x46000000 /slot-B/initrd.img\nbooti 0x40400000 0x46000000:1000 0x7ef00000 [${bootargs}]\n`;
      expect(out.slice(out.indexOf('\n') + 1), context).toBe(expected);
    });
  });

  it('a boot image bootm refuses (damaged) resets the board: the try is spent, no other kernel boots the slot', () => {
    const [out] = runScript([{ ORDER: 'A B', A_OK: '1', A_LEFT: '3', B_OK: '1', B_LEFT: '3' }], partition(), 'HS_BAD_IMAGE=1');
    expect(savedEnvironment(out!)).toEqual({ ORDER: 'A B', A_OK: '1', A_LEFT: '2', B_OK: '1', B_LEFT: '3' });
    expect(out!.slice(out!.indexOf('\n') + 1)).toBe('load 0x40400000 /A/boot.img\nbootm failed\nreset\n');
  });

  it('a recovery request boots the recovery image once, takes no try, and is answered in the saved environment', () => {
    const [first] = runScript([{ ORDER: 'B A', A_OK: '1', A_LEFT: '3', B_OK: '1', B_LEFT: '2', RECOVERY: '1' }], partition());
    expect(savedEnvironment(first!)).toEqual({ ORDER: 'B A', A_OK: '1', A_LEFT: '3', B_OK: '1', B_LEFT: '2', RECOVERY: '0' });
    expect(first).toContain(
      'load 0x40400000 /recovery/boot.img\nbootm 0x40400000 [root=PARTLABEL=recovery ro headset.slot=B headset.recovery=1 headset.recovery_reason=requested quiet]',
    );
    const [second] = runScript([savedEnvironment(first!)], partition());
    expect(second).toContain('headset.slot=B headset.recovery=0 quiet');
  });

  it('a damaged recovery image resets the board rather than boot a slot without the request', () => {
    const [out] = runScript([{ ORDER: 'A B', A_OK: '1', A_LEFT: '0', B_OK: '0', B_LEFT: '0' }], partition(), 'HS_BAD_IMAGE=1');
    expect(out!.slice(out!.indexOf('\n') + 1)).toBe('load 0x40400000 /recovery/boot.img\nbootm failed\nreset\n');
  });

  it('scratch values never reach the saved environment, even when the environment held them', () => {
    const [out] = runScript([{ ORDER: 'B A', A_OK: '1', A_LEFT: '3', B_OK: '1', B_LEFT: '1', hs_slot: 'A', hs_recovery: '1' }], partition());
    expect(savedEnvironment(out!)).toEqual({ ORDER: 'B A', A_OK: '1', A_LEFT: '3', B_OK: '1', B_LEFT: '0' });
    expect(out).toContain('headset.slot=B headset.recovery=0');
  });
});
