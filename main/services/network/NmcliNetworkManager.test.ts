import { describe, expect, it } from 'vitest';
import { NmcliNetworkManager } from './NmcliNetworkManager.js';
import type { NmcliRunner } from './NmcliRunner.js';

/** nmcli stood in: answers each run after `gate` opens, and counts the runs by their arguments. */
function fakeNmcli(answer: (args: readonly string[]) => string) {
  const runs: string[] = [];
  let open: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (open = resolve));
  const runner = {
    run: async (args: readonly string[]) => {
      runs.push(args.join(' '));
      await gate;
      return answer(args);
    },
  } as unknown as NmcliRunner;
  return {
    runner,
    runs,
    release: () => {
      open();
      gate = new Promise<void>((resolve) => (open = resolve));
    },
  };
}

const LIST = 'wifi-486F6D65:11111111-1111-4111-8111-111111111111:802-11-wireless\n';
const SHOW = 'connection.uuid:11111111-1111-4111-8111-111111111111\nconnection.autoconnect-priority:4\n802-11-wireless.ssid:Home\n';

describe('the nmcli adapter’s reads', () => {
  it('shares a read already under way with a second caller, and starts a new one after it ends', async () => {
    const nmcli = fakeNmcli((args) => (args.includes('NAME,UUID,TYPE') ? LIST : SHOW));
    const nm = new NmcliNetworkManager(nmcli.runner);
    const both = Promise.all([nm.profiles(), nm.profiles()]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    nmcli.release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    nmcli.release();
    const [a, b] = await both;
    expect(a).toEqual(b);
    expect(a[0]).toMatchObject({ ssidHex: '486F6D65', priority: 4 });
    expect(nmcli.runs.filter((r) => r.includes('NAME,UUID,TYPE'))).toHaveLength(1);
    const again = nm.profiles();
    await new Promise((resolve) => setTimeout(resolve, 5));
    nmcli.release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    nmcli.release();
    await again;
    expect(nmcli.runs.filter((r) => r.includes('NAME,UUID,TYPE'))).toHaveLength(2);
  });

  it('never hands a read that began before a change to a caller after it', async () => {
    const nmcli = fakeNmcli((args) => (args.includes('NAME,UUID,TYPE') ? LIST : args[0] === 'connection' ? '' : SHOW));
    const nm = new NmcliNetworkManager(nmcli.runner);
    const before = nm.ethernet();
    const change = nm.remove('11111111-1111-4111-8111-111111111111');
    const after = nm.ethernet();
    await new Promise((resolve) => setTimeout(resolve, 5));
    nmcli.release();
    await Promise.all([before.catch(() => undefined), change, after.catch(() => undefined)]);
    expect(nmcli.runs.filter((r) => r.includes('device status'))).toHaveLength(2);
  });
});
