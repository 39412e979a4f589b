import type { BootVariables } from './grubEnvCodec.js';

/**
 * The slot-selection algorithm the bootloader runs at every power-on. The GRUB script
 * (`native/grub/grub.cfg`) and the U-Boot script implement exactly this; the simulated device
 * runs this function, so tests exercise the shipped logic.
 *
 * Variables:
 *   ORDER    slots to try, preferred first ("A B"); slots it omits are tried after it
 *   <S>_OK   "1" when the slot may be booted at all
 *   <S>_LEFT boot attempts left (0..3); the bootloader takes one per boot, user space resets it to 3
 *            once the booted slot proves healthy (the commit)
 *
 *   RECOVERY "1": recovery asked for by the running system ("Restart into recovery"); one boot
 *            only: the bootloader sets it back to "0" and takes no try
 *
 *   power on -> RECOVERY=1 -> RECOVERY=0, recovery (requested)
 *            -> first S in ORDER with S_OK=1 and S_LEFT>0 -> S_LEFT-- -> boot S
 *            -> none: recovery (slots-failed, never brick)
 *   Recovery boots the recovery partition's kernel and root (PARTLABEL=recovery), which no install
 *   writes, so a damaged slot cannot stop it; headset.slot names the first bootable slot of ORDER
 *   (the slot the system falls back to), so the installer in recovery writes the other one.
 */
export const SLOT_NAMES = ['A', 'B'] as const;
export type BootSlot = (typeof SLOT_NAMES)[number];
export const MAX_BOOT_TRIES = 3;
/** The boot variable through which the running system asks for one boot into recovery. */
export const RECOVERY_REQUEST = 'RECOVERY';

/** The kernel arguments a boot decision gives (the same words grub.cfg and boot.cmd put there). */
export function bootArguments(decision: Pick<BootDecision, 'slot' | 'recovery' | 'recoveryReason'>): string {
  const root = decision.recovery ? 'recovery' : `rootfs_${decision.slot}`;
  const reason = decision.recovery ? ` headset.recovery_reason=${decision.recoveryReason ?? 'slots-failed'}` : '';
  return `root=PARTLABEL=${root} ro headset.slot=${decision.slot} headset.recovery=${decision.recovery ? 1 : 0}${reason} quiet`;
}

/** The variables that ask the bootloader for one boot into recovery. */
export function requestRecovery(variables: BootVariables): Map<string, string> {
  return new Map(variables).set(RECOVERY_REQUEST, '1');
}

export interface BootDecision {
  slot: BootSlot;
  /** Boot the recovery partition: no slot had attempts left, or the running system asked for it. */
  recovery: boolean;
  /** Why recovery: `slots-failed` (no tries left) or `requested` (RECOVERY=1); absent when a slot boots. */
  recoveryReason?: 'slots-failed' | 'requested';
  /** The slot booted is not the first in ORDER. */
  fellBack: boolean;
  variables: Map<string, string>;
}

/** ORDER's slots, then any slot it omits: a damaged ORDER must never lock out a good slot. */
export function parseOrder(variables: BootVariables): BootSlot[] {
  const listed = (variables.get('ORDER') ?? '').split(/\s+/).filter((s): s is BootSlot => (SLOT_NAMES as readonly string[]).includes(s));
  return [...new Set([...listed, ...SLOT_NAMES])];
}

/** Only "0".."3" count: anything else is no tries, the one reading GRUB's script (no arithmetic) can match. */
export function triesLeft(variables: BootVariables, slot: BootSlot): number {
  const value = variables.get(`${slot}_LEFT`) ?? '';
  return /^[0-3]$/.test(value) ? Number(value) : 0;
}

export function isBootable(variables: BootVariables, slot: BootSlot): boolean {
  return variables.get(`${slot}_OK`) === '1';
}

export function selectBootSlot(variables: BootVariables): BootDecision {
  const order = parseOrder(variables);
  const next = new Map(variables);
  const fallback = order.find((slot) => isBootable(variables, slot)) ?? order[0]!;
  if (variables.get(RECOVERY_REQUEST) === '1') {
    // One boot only: a recovery that restarts goes back to the slots.
    next.set(RECOVERY_REQUEST, '0');
    return { slot: fallback, recovery: true, recoveryReason: 'requested', fellBack: fallback !== order[0], variables: next };
  }
  for (const slot of order) {
    const left = triesLeft(variables, slot);
    if (isBootable(variables, slot) && left > 0) {
      next.set(`${slot}_LEFT`, String(left - 1));
      return { slot, recovery: false, fellBack: slot !== order[0], variables: next };
    }
  }
  return { slot: fallback, recovery: true, recoveryReason: 'slots-failed', fellBack: true, variables: next };
}

/** The variables of a factory-fresh device: slot A holds the image, B is empty. */
export function factoryBootVariables(): Map<string, string> {
  return new Map([
    ['ORDER', 'A B'],
    ['A_OK', '1'],
    ['A_LEFT', String(MAX_BOOT_TRIES)],
    ['B_OK', '0'],
    ['B_LEFT', '0'],
  ]);
}

/** User space's commit: the booted slot is healthy, give it its full tries back. */
export function commitSlot(variables: BootVariables, slot: BootSlot): Map<string, string> {
  const next = new Map(variables);
  next.set(`${slot}_OK`, '1');
  next.set(`${slot}_LEFT`, String(MAX_BOOT_TRIES));
  return next;
}
