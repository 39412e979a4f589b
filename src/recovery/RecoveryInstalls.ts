import type { RecoveryInstallState, RecoverySource } from '../api/contract/recovery.js';
import { AppError } from '../api/errors.js';
import { StateChannel } from '../api/stateChannel.js';
import { errorMessage } from '../errorText.js';
import type { BundleStick, RecoveryLog, SystemInstallPort } from './ports.js';

/** At most five progress reports a second, and always the last: every chunk would flood the kiosk. */
function progressThrottle(intervalMs = 200): (done: number, total: number) => boolean {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - last < intervalMs && done < total) return false;
    last = now;
    return true;
  };
}

/**
 * Network and USB recovery: a whole system into a slot from the recovery system, through the
 * update capability's verifier and installer (SystemInstallPort). One at a time; the call answers
 * once it started (a stick or a busy installer refused at once), then the state tells the progress
 * and the outcome. Every step goes to the log under the `recovery` subsystem. Pure (its ports do the
 * I/O): headsetd and the fake device run this same class.
 *
 *   idle ─▶ checking ─▶ downloading ─▶ installing ─▶ installed (restart to start it)
 *   idle ─────────(usb)──────────────▶ installing ─▶ failed (refused: nothing switched)
 */
export class RecoveryInstalls {
  readonly state = new StateChannel<RecoveryInstallState>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly needs: {
      system: SystemInstallPort;
      stick: BundleStick;
      log: RecoveryLog;
    },
  ) {
    this.state.set({ status: 'idle' });
  }

  current(): RecoveryInstallState {
    return this.state.current() ?? { status: 'idle' };
  }

  /** Network recovery: the newest full system the repository lists, at or above the version floor. */
  fromNetwork(): RecoveryInstallState {
    this.assertIdle();
    this.needs.log.info('network recovery started: checking the update repository');
    return this.begin('network', async () => {
      this.state.set({ status: 'checking', source: 'network' });
      const system = await this.needs.system.newestFullSystem();
      if (!system)
        throw new AppError('RECOVERY_NO_SYSTEM_AVAILABLE', 'The update server has no system for this headset at or above the installed version.');
      this.needs.log.info('network recovery: downloading', { version: system.version, bytes: system.bytes });
      const report = progressThrottle();
      this.state.set({ status: 'downloading', source: 'network', version: system.version, bytes: 0, total: system.bytes });
      const bundle = await this.needs.system.download(system, new AbortController().signal, (bytes, total) => {
        if (report(bytes, total)) this.state.set({ status: 'downloading', source: 'network', version: system.version, bytes, total });
      });
      // Kept once the new system commits (a version to go back to), as an update's bundle is.
      await this.install('network', bundle, system.version);
    });
  }

  /** USB recovery: the one bundle at the stick's top level; the stick's problems are answered at once. */
  async fromUsb(): Promise<RecoveryInstallState> {
    this.assertIdle();
    const bundle = await this.bundleOnStick();
    this.needs.log.info('USB recovery started', { file: bundle.name });
    return this.begin('usb', async () => {
      this.state.set({ status: 'installing', source: 'usb', version: null, slot: this.needs.system.targetSlot(), bytes: 0, total: 0 });
      const staged = await this.needs.system.stage(bundle.path);
      try {
        await this.install('usb', staged, null);
      } catch (error) {
        await this.needs.system.discard(staged);
        throw error;
      }
    });
  }

  private async install(source: RecoverySource, bundle: string, version: string | null): Promise<void> {
    const slot = this.needs.system.targetSlot();
    const report = progressThrottle();
    this.state.set({ status: 'installing', source, version, slot, bytes: 0, total: 0 });
    const done = await this.needs.system.install(bundle, (bytes, total) => {
      if (report(bytes, total)) this.state.set({ status: 'installing', source, version, slot, bytes, total });
    });
    this.needs.log.info(`${source} recovery installed ${done.version} into slot ${done.slot}; it starts at the next restart`, {
      version: done.version,
      slot: done.slot,
    });
    this.state.set({ status: 'installed', source, version: done.version, slot: done.slot });
  }

  private begin(source: RecoverySource, work: () => Promise<void>): RecoveryInstallState {
    const run = work()
      .catch((error: unknown) => {
        const problem = error instanceof AppError ? error : new AppError('INTERNAL', 'The recovery install failed.');
        this.needs.log.error(`${source} recovery failed: ${problem.code}`, {
          code: problem.code,
          message: problem.message,
          ...(problem.code === 'INTERNAL' ? { error: errorMessage(error) } : {}),
        });
        this.state.set({ status: 'failed', source, error: { code: problem.code, message: problem.message } });
      })
      .finally(() => {
        this.running = undefined;
      });
    this.running = run;
    return this.current();
  }

  private assertIdle(): void {
    if (this.running) throw new AppError('UPDATE_IN_PROGRESS', 'A recovery install is already running.', { running: 'recovery install' });
  }

  private async bundleOnStick(): Promise<{ name: string; path: string }> {
    const found = await this.needs.stick.bundles();
    if (!found) throw new AppError('RECOVERY_NO_STICK', 'No USB stick found. Plug in the stick with the system on it.');
    const bundles = found.map((bundle) => bundle.name);
    if (bundles.length === 0) throw new AppError('RECOVERY_NO_BUNDLE_ON_STICK', 'The USB stick holds no system to install (no .hcb file).');
    if (bundles.length > 1)
      throw new AppError('RECOVERY_SEVERAL_BUNDLES_ON_STICK', `The USB stick holds ${bundles.length} systems; leave only the one to install.`, {
        files: bundles,
      });
    return found[0]!;
  }
}
