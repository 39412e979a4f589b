import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { factoryBootVariables, requestRecovery, selectBootSlot } from '../../../src/boot/bootSelection.js';
import { GrubEnvironmentFile } from './GrubEnvironmentFile.js';

// No GRUB runs here: grub-script-check parses native/grub/grub.cfg as GRUB would, and grub-editenv,
// the independent peer, reads the request headsetd writes and the answer the boot rule saves.

const script = join(import.meta.dirname, '../../../native/grub/grub.cfg');
const dir = mkdtempSync(join(tmpdir(), 'grub-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function grubList(path: string): Map<string, string> {
  const out = execFileSync('grub-editenv', [path, 'list'], { encoding: 'utf8' });
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('native/grub/grub.cfg and the recovery entry', () => {
  it('parses as GRUB script', () => {
    expect(() => execFileSync('grub-script-check', [script])).not.toThrow();
  });

  it('loads RECOVERY with the slot variables and clears it with save_env before a recovery boot', () => {
    const text = readFileSync(script, 'utf8');
    expect(text).toMatch(/^load_env ORDER A_OK B_OK A_LEFT B_LEFT RECOVERY$/m);
    expect(text).toMatch(/set RECOVERY=0\n\s+# [^\n]*\n\s+save_env RECOVERY/);
    expect(text).toContain(
      'linux /recovery/vmlinuz root=PARTLABEL=recovery ro headset.slot=$selected headset.recovery=1 headset.recovery_reason=$reason',
    );
  });

  it('a request written by headsetd is what grub-editenv lists; the boot rule answers it once and takes no try', async () => {
    const file = new GrubEnvironmentFile(join(dir, 'grubenv'));
    await file.write(requestRecovery(factoryBootVariables()));
    expect(grubList(file.path).get('RECOVERY')).toBe('1');
    const first = selectBootSlot(await file.read());
    expect(first).toMatchObject({ slot: 'A', recovery: true, recoveryReason: 'requested' });
    await file.write(first.variables);
    const listed = grubList(file.path);
    expect(listed.get('RECOVERY')).toBe('0');
    expect(listed.get('A_LEFT')).toBe('3');
    expect(selectBootSlot(await file.read())).toMatchObject({ slot: 'A', recovery: false });
  });
});
