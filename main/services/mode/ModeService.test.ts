import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModeService } from './ModeService.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mode-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const button = (held: boolean) => ({ isHeld: async () => held });

describe('ModeService.resolveAtBoot', () => {
  it('says the system failed to start when the bootloader chose recovery', async () => {
    const mode = new ModeService(dir, button(false));
    expect(await mode.resolveAtBoot({ bootloaderRecovery: true })).toEqual({ mode: 'recovery', reason: 'boot-failed', setupComplete: false });
  });

  it('says the button was held when it was, and the system started', async () => {
    const mode = new ModeService(dir, button(true));
    expect(await mode.resolveAtBoot({ bootloaderRecovery: false })).toEqual({ mode: 'recovery', reason: 'recovery-button', setupComplete: false });
  });

  it('names the failed start when the button was held as well', async () => {
    const mode = new ModeService(dir, button(true));
    expect(await mode.resolveAtBoot({ bootloaderRecovery: true })).toMatchObject({ mode: 'recovery', reason: 'boot-failed' });
  });

  it('keeps a requested mode above both, and otherwise goes by setup', async () => {
    expect(await new ModeService(dir, button(true)).resolveAtBoot({ requested: 'settings', bootloaderRecovery: true })).toMatchObject({
      mode: 'settings',
      reason: 'requested',
    });
    const mode = new ModeService(dir, button(false));
    expect(await mode.resolveAtBoot({ bootloaderRecovery: false })).toMatchObject({ mode: 'setup', reason: 'first-run' });
    await mode.completeSetup();
    expect(await new ModeService(dir, button(false)).resolveAtBoot({ bootloaderRecovery: false })).toEqual({
      mode: 'settings',
      reason: 'default',
      setupComplete: true,
    });
  });
});
