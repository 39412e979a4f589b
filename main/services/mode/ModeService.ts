import { join } from 'node:path';
import type { Mode, ModeState } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { RecoveryButton } from './ports.js';

/**
 * Which face the app shows, decided at each boot:
 *
 *   requested (--mode) ─┐
 *   bootloader asked for recovery (no slot started: boot-failed) ──> recovery
 *   recovery button held (recovery-button) ──> recovery
 *   setup never completed ──> setup ──(setup.complete)──> settings
 *   otherwise ──> settings
 */
export class ModeService {
  readonly state = new StateChannel<ModeState>();

  constructor(
    private readonly stateDir: string,
    private readonly button: RecoveryButton,
  ) {}

  async resolveAtBoot(options: { requested?: Mode; bootloaderRecovery: boolean }): Promise<ModeState> {
    const setupComplete = await this.isSetupComplete();
    let next: ModeState;
    if (options.requested) next = { mode: options.requested, reason: 'requested', setupComplete };
    // The system failing to start says more than a button also held: it is named first.
    else if (options.bootloaderRecovery) next = { mode: 'recovery', reason: 'boot-failed', setupComplete };
    else if (await this.button.isHeld()) next = { mode: 'recovery', reason: 'recovery-button', setupComplete };
    else if (!setupComplete) next = { mode: 'setup', reason: 'first-run', setupComplete };
    else next = { mode: 'settings', reason: 'default', setupComplete };
    this.state.set(next);
    return next;
  }

  mode(): Mode {
    return this.state.current()?.mode ?? 'settings';
  }

  async completeSetup(): Promise<ModeState> {
    await writeFileAtomic(this.setupFile(), JSON.stringify({ completedAt: new Date().toISOString() }));
    const next: ModeState = { mode: 'settings', reason: 'setup-complete', setupComplete: true };
    this.state.set(next);
    return next;
  }

  private async isSetupComplete(): Promise<boolean> {
    return (await readJsonIfExists(this.setupFile())) !== undefined;
  }

  private setupFile(): string {
    return join(this.stateDir, 'setup.json');
  }
}
