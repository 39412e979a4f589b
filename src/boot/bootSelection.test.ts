import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_BOOT_TRIES,
  bootArguments,
  commitSlot,
  factoryBootVariables,
  requestRecovery,
  selectBootSlot,
  triesLeft,
  type BootSlot,
} from './bootSelection.js';

function trial(slot: BootSlot, variables = factoryBootVariables()): Map<string, string> {
  // What the installer does before rebooting into a new slot: put it first with its tries.
  const next = new Map(variables);
  next.set('ORDER', slot === 'A' ? 'A B' : 'B A');
  next.set(`${slot}_OK`, '1');
  next.set(`${slot}_LEFT`, String(MAX_BOOT_TRIES));
  return next;
}

describe('boot slot selection', () => {
  it('boots the first slot of ORDER and takes one try', () => {
    const decision = selectBootSlot(factoryBootVariables());
    expect(decision).toMatchObject({ slot: 'A', recovery: false, fellBack: false });
    expect(decision.variables.get('A_LEFT')).toBe(String(MAX_BOOT_TRIES - 1));
  });

  it('a committed slot keeps booting forever', () => {
    let variables = factoryBootVariables();
    for (let boot = 0; boot < 20; boot++) {
      const decision = selectBootSlot(variables);
      expect(decision.slot).toBe('A');
      variables = commitSlot(decision.variables, decision.slot);
    }
  });

  it('an update that is never committed falls back to the old slot after its tries', () => {
    let variables = trial('B', commitSlot(factoryBootVariables(), 'A'));
    const booted: BootSlot[] = [];
    for (let boot = 0; boot < MAX_BOOT_TRIES + 2; boot++) {
      const decision = selectBootSlot(variables);
      booted.push(decision.slot);
      variables = decision.variables;
    }
    expect(booted.slice(0, MAX_BOOT_TRIES)).toEqual(Array(MAX_BOOT_TRIES).fill('B'));
    expect(booted[MAX_BOOT_TRIES]).toBe('A');
  });

  it('boots into recovery, never nothing, when every slot used up its tries', () => {
    const variables = new Map([
      ['ORDER', 'A B'],
      ['A_OK', '1'],
      ['A_LEFT', '0'],
      ['B_OK', '0'],
      ['B_LEFT', '0'],
    ]);
    expect(selectBootSlot(variables)).toMatchObject({ slot: 'A', recovery: true });
  });

  it('never picks a slot that is not bootable while another has tries (any environment)', () => {
    const env = fc.record({
      order: fc.constantFrom('A B', 'B A', 'A', 'B', '', 'garbage'),
      aOk: fc.constantFrom('0', '1', ''),
      bOk: fc.constantFrom('0', '1', ''),
      aLeft: fc.constantFrom('0', '1', '2', '3', '9', '-1', 'x'),
      bLeft: fc.constantFrom('0', '1', '2', '3', '9', '-1', 'x'),
    });
    fc.assert(
      fc.property(env, ({ order, aOk, bOk, aLeft, bLeft }) => {
        const variables = new Map([
          ['ORDER', order],
          ['A_OK', aOk],
          ['B_OK', bOk],
          ['A_LEFT', aLeft],
          ['B_LEFT', bLeft],
        ]);
        const decision = selectBootSlot(variables);
        const candidates = (['A', 'B'] as const).filter((s) => variables.get(`${s}_OK`) === '1' && triesLeft(variables, s) > 0);
        if (candidates.length > 0) {
          expect(decision.recovery).toBe(false);
          expect(candidates).toContain(decision.slot);
          expect(triesLeft(decision.variables, decision.slot)).toBe(triesLeft(variables, decision.slot) - 1);
        } else {
          expect(decision.recovery).toBe(true);
        }
      }),
    );
  });
});

describe('recovery on request', () => {
  it('RECOVERY=1 boots recovery once from the first bootable slot, takes no try, and is answered with 0', () => {
    const asked = requestRecovery(commitSlot(factoryBootVariables(), 'A'));
    const decision = selectBootSlot(asked);
    expect(decision).toMatchObject({ slot: 'A', recovery: true, recoveryReason: 'requested' });
    expect(decision.variables.get('A_LEFT')).toBe(String(MAX_BOOT_TRIES));
    expect(decision.variables.get('RECOVERY')).toBe('0');
    expect(selectBootSlot(decision.variables)).toMatchObject({ slot: 'A', recovery: false });
  });

  it('the kernel arguments name the recovery root and the reason', () => {
    expect(bootArguments({ slot: 'B', recovery: true, recoveryReason: 'slots-failed' })).toBe(
      'root=PARTLABEL=recovery ro headset.slot=B headset.recovery=1 headset.recovery_reason=slots-failed quiet',
    );
    expect(bootArguments({ slot: 'A', recovery: false })).toBe('root=PARTLABEL=rootfs_A ro headset.slot=A headset.recovery=0 quiet');
  });
});
