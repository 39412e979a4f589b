import { join } from 'node:path';
import type { Mode, ModeState } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { BootloaderRecovery, PendingReset, RecoveryButton } from './ports.js';

/**
 * Which face the app shows, decided at each boot:
 *
 *   requested (--mode) ─┐
 *   bootloader started recovery: no slot had tries left (boot-failed),
 *     or the system asked for it (restart-into-recovery) ──> recovery
 *   recovery button held (recovery-button) ──> recovery
 *   a factory reset journaled and not finished (reset-pending) ──> recovery
 *   setup never completed ──> setup ──(setup.complete)──> settings
 *   otherwise ──> settings
 */
export class ModeService {
  readonly state = new StateChannel<ModeState>();

  constructor(
    private readonly stateDir: string,
    private readonly button: RecoveryButton,
    private readonly extra: { pendingReset?: PendingReset; recoveryLog?: SubsystemLogger } = {},
  ) {}

  async resolveAtBoot(options: { requested?: Mode } & BootloaderRecovery): Promise<ModeState> {
    const setupComplete = await this.isSetupComplete();
    let next: ModeState;
    if (options.requested) next = { mode: options.requested, reason: 'requested', setupComplete };
    // The system failing to start says more than a button also held: it is named first.
    else if (options.bootloaderRecovery)
      next = { mode: 'recovery', reason: options.recoveryReason === 'requested' ? 'restart-into-recovery' : 'boot-failed', setupComplete };
    else if (await this.button.isHeld()) next = { mode: 'recovery', reason: 'recovery-button', setupComplete };
    // A reset cut short finishes in recovery (the reset capability resumes it), not in a half-wiped Settings.
    else if (await this.extra.pendingReset?.pending()) next = { mode: 'recovery', reason: 'reset-pending', setupComplete };
    else if (!setupComplete) next = { mode: 'setup', reason: 'first-run', setupComplete };
    else next = { mode: 'settings', reason: 'default', setupComplete };
    if (next.mode === 'recovery') this.extra.recoveryLog?.info('started in recovery', { reason: next.reason });
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
