import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SystemdServiceControl } from './SystemdServiceControl.js';

// systemctl is the edge of the machine: a stand-in script records its argv and answers as
// systemctl does (exit 5 "not loaded", exit 1 with a message on stderr).
const dir = mkdtempSync(join(tmpdir(), 'systemctl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const calls = join(dir, 'calls');
const systemctl = join(dir, 'systemctl');
writeFileSync(
  systemctl,
  `#!/bin/sh
printf '%s\\n' "$*" >> '${calls}'
case "$3" in
  missing.service) echo "Failed to $1 $3: Unit $3 not loaded." >&2; exit 5 ;;
  broken.service) echo "Job for $3 failed because the control process exited with error code." >&2; exit 1 ;;
esac
exit 0
`,
);
chmodSync(systemctl, 0o755);
const holders = join(dir, 'holders');
writeFileSync(
  holders,
  '# units that keep the inactive slot open\nheadset-slot-inspector.service\n\nnot a unit\nrauc-mark.service # trailing comment\n',
);
const control = new SystemdServiceControl(holders, systemctl, 5000);
const recorded = () => (existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter(Boolean) : []);

describe('SystemdServiceControl', () => {
  it('runs systemctl VERB -- UNIT with a fixed argument list', async () => {
    await control.stop('headset-tracking.service');
    await control.start('getty@tty1.service');
    expect(recorded()).toEqual(['stop -- headset-tracking.service', 'start -- getty@tty1.service']);
  });

  it('never runs systemctl for a name that is not a service unit', async () => {
    const before = recorded().length;
    for (const name of ['--help', '-H.service', 'a b.service', '*.service', 'reboot.target', '', 'x.service;reboot', '../x.service']) {
      await expect(control.stop(name)).rejects.toThrow(/not a service unit name/);
    }
    expect(recorded()).toHaveLength(before);
  });

  it("a unit the system does not have needs no stop, but cannot start; failures carry systemctl's words", async () => {
    await expect(control.stop('missing.service')).resolves.toBeUndefined();
    await expect(control.start('missing.service')).rejects.toThrow(
      'start missing.service: Failed to start missing.service: Unit missing.service not loaded.',
    );
    await expect(control.start('broken.service')).rejects.toThrow(
      'Job for broken.service failed because the control process exited with error code.',
    );
    await expect(control.stop('broken.service')).rejects.toMatchObject({ unit: 'broken.service', action: 'stop' });
  });

  it('reads the units holding the inactive slot from the image, one per line', async () => {
    expect(await control.holdersOfInactiveSlot()).toEqual(['headset-slot-inspector.service', 'rauc-mark.service']);
    expect(await new SystemdServiceControl(join(dir, 'absent')).holdersOfInactiveSlot()).toEqual([]);
  });

  it('names the listed must-run units that systemctl is-active does not call active', async () => {
    const mustRun = join(dir, 'must-run');
    writeFileSync(mustRun, '# run after every boot\nheadset-tracking.service\nbroken.service\nmissing.service\n--now\n');
    const checked = new SystemdServiceControl(holders, systemctl, 5000, mustRun);
    const before = recorded().length;
    expect(await checked.notRunningAfterBoot()).toEqual(['broken.service', 'missing.service']);
    expect(recorded().slice(before)).toEqual([
      'is-active -- headset-tracking.service',
      'is-active -- broken.service',
      'is-active -- missing.service',
    ]);
    expect(await new SystemdServiceControl(holders, systemctl, 5000, join(dir, 'absent')).notRunningAfterBoot()).toEqual([]);
  });
});
