import { join } from 'node:path';
import type { Mode, UpdateHistoryEntry, UpdateStatus, StateSource } from '../../../src/api/contract.js';
import type { updateCalls, updateEvents } from '../../../src/api/contract/update.js';
import { errorMessage } from '../../../src/errorText.js';
import type { BootPartitionSpace } from '../boot/BootPartitionSpace.js';
import type { BootControl } from '../boot/ports.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { ModeAtBoot } from '../mode/ports.js';
import type { NetworkMonitor } from '../platform/NetworkMonitor.js';
import type { DevicePower } from '../platform/PowerControl.js';
import type { ServiceControl } from '../platform/ServiceControl.js';
import { bootSystem } from './bootSequence.js';
import { BundleCache } from './BundleCache.js';
import { ComponentRegistry, type ComponentSources } from './ComponentRegistry.js';
import type { DataSnapshots } from './DataSnapshots.js';
import { FleetRolloutLink } from './FleetRolloutLink.js';
import { InstallJournal } from './InstallJournal.js';
import { Installer, type BootOutcome } from './Installer.js';
import type { SlotPartitions } from './ports.js';
import { openUpdateCatalog } from './repositoryConfig.js';
import { TrialConfirmation, type ReachabilityCheck } from './TrialConfirmation.js';
import { loadTrustFolder } from './trustedKeys.js';
import { UpdateService } from './UpdateService.js';
import { SystemReinstall } from './SystemReinstall.js';
import type { SystemInstallPort } from '../../../src/recovery/ports.js';

export type { BootOutcome } from './Installer.js';
export type { ReachabilityCheck } from './TrialConfirmation.js';

export interface UpdateNeeds {
  boot: BootControl;
  mode: ModeAtBoot;
  power: DevicePower;
  network: NetworkMonitor;
  services: ServiceControl;
  partitions: SlotPartitions;
  bootSpace: BootPartitionSpace;
  components: ComponentSources;
  snapshots?: DataSnapshots;
  model: string;
  stateDir: string;
  trustDir: string;
  /** The update repository's address (remembered once given). */
  url?: string;
  /** The mode the first boot was asked for (--mode); later boots decide for themselves. */
  requestedMode?: Mode;
  log: SubsystemLogger;
  /** Where each boot's summary goes (subsystem boot). */
  bootLog: SubsystemLogger;
  /** Subsystem `recovery`: recovery installs' downloads. */
  recoveryLog?: SubsystemLogger;
}

/** What the other capabilities and the host use of the update lifecycle. */
export interface UpdatePorts {
  updates: { readonly status: StateSource<UpdateStatus>; history(): Promise<UpdateHistoryEntry[]> };
  /** The headset's component versions (bootloader, firmware, system). */
  components(): Promise<Record<string, string>>;
  /** Checks a trial boot's API is reachable (now and after every power cycle), then commits it. */
  confirmBoot(check: ReachabilityCheck): Promise<BootOutcome>;
  /** The fleet server's rollouts: the offer a check-in brings, and the reports the next one carries. */
  fleetRollouts: FleetRolloutLink;
  /** Recovery's installs, through this installer and verifier (network and USB recovery). */
  systemInstall: SystemInstallPort;
  /** The signing time of each verified TUF timestamp (ms), for the licence's high-water mark; returns an unsubscribe. */
  trustedTimes: { subscribe(listener: (ms: number) => void): () => void };
}

/** An unhealthy trial must not linger: restart so the bootloader spends its tries and falls back. */
const REBOOT_AFTER_FAILED_TRIAL_MS = 2000;

/**
 * System updates, the whole lifecycle in this folder (see lifecycle.md beside it): check, download,
 * install into the other slot, the boot sequence that resumes or judges an install at every boot,
 * the trial's confirmation once headsetd answers, commit, rollback (update.*, update.changed).
 */
export async function updateCapability(needs: UpdateNeeds): Promise<Capability<UpdatePorts>> {
  const { boot, log } = needs;
  const components = new ComponentRegistry({ ...needs.components, systemVersion: () => runningVersion(boot), log });
  const installer = new Installer({
    boot,
    partitions: needs.partitions,
    journal: new InstallJournal(join(needs.stateDir, 'install.json')),
    trusted: await loadTrustFolder(needs.trustDir),
    model: needs.model,
    tempDir: needs.stateDir,
    snapshots: needs.snapshots,
    log,
    components: () => components.versions(),
    services: needs.services,
    bootSpace: needs.bootSpace,
  });
  const catalog = await openUpdateCatalog({ url: needs.url, stateDir: needs.stateDir, trustDir: needs.trustDir });
  const systemInstall = new SystemReinstall({
    catalog,
    installer,
    boot,
    network: needs.network,
    model: needs.model,
    dir: join(needs.stateDir, 'recovery-bundles'),
    log: needs.recoveryLog ?? log,
  });
  const fleetRollouts = await FleetRolloutLink.open(needs.stateDir);
  const updates = new UpdateService({
    fleet: fleetRollouts,
    catalog,
    installer,
    boot,
    kept: new BundleCache(join(needs.stateDir, 'kept-bundles')),
    partitions: needs.partitions,
    network: needs.network,
    power: needs.power,
    model: needs.model,
    stateDir: needs.stateDir,
    log,
  });
  // The history and the offer follow every install's end, also one a power cut finished at the next boot.
  installer.onFinished((record) => updates.recordFinished(record));
  // What becomes of a fleet rollout's version is reported at the next check-in (registration).
  installer.onFinished((record) => fleetRollouts.finished(record));
  updates.status.subscribe(
    (status) =>
      void fleetRollouts.observe(status.state).catch((error: unknown) => log.warn('rollout report not saved', { error: errorMessage(error) })),
  );
  const rebootAfterFailedTrial = () =>
    void setTimeout(
      () => needs.power.reboot().catch((error: unknown) => log.error('restart after a failed trial failed', { error: errorMessage(error) })),
      REBOOT_AFTER_FAILED_TRIAL_MS,
    ).unref();
  const trial = new TrialConfirmation({ installer, boot, rebootAfterFailedTrial, log });
  let requested = needs.requestedMode;
  const bootSequence = async () => {
    const judged = await bootSystem({ boot, installer, mode: needs.mode }, requested, { confirmTrialLater: true });
    requested = undefined; // --mode applies to the first boot only
    if (judged === 'trial-failed') rebootAfterFailedTrial();
    // A power cycle inside this process: its API still listens, the trial is confirmed at once.
    const outcome = await trial.afterBoot(judged);
    const booted = boot.bootedSystemFacts();
    const update = outcome === 'none' ? '' : `, update ${outcome}`;
    needs.bootLog.info(
      `boot ${boot.status.current()?.bootCount}: slot ${booted.slot}${booted.recovery ? ' (recovery)' : ''}, mode ${needs.mode.mode()}${update}`,
    );
  };
  needs.power.onPowerCycle({ afterOn: bootSequence });

  const handlers: HandlersOf<typeof updateCalls> = {
    'update.status': () => updates.snapshot(),
    'update.check': () => updates.check(),
    'update.download': () => updates.startDownloadCall(),
    'update.pause': () => updates.pause(),
    'update.resume': () => updates.resume(),
    'update.install': () => updates.install(),
    'update.restart': async () => {
      await updates.restartIntoUpdate();
      return { restarting: true as const };
    },
    'update.rollback': async ({ version }) => {
      await updates.rollback(version);
      return { restarting: true as const };
    },
    'update.settings': (change) => updates.updateSettings(change),
    'update.history': () => updates.history(),
  };
  const events: EventsOf<typeof updateEvents> = { 'update.changed': updates.status };
  return {
    provides: {
      updates,
      components: () => components.versions(),
      confirmBoot: (check) => trial.confirmWith(check),
      systemInstall,
      fleetRollouts,
      // The signing times of verified TUF timestamps (the licence's trusted clock); none without a repository.
      trustedTimes: { subscribe: (listener) => catalog?.onVerifiedTime(listener) ?? (() => undefined) },
    },
    handlers,
    events,
    async start() {
      await bootSequence();
      await updates.start();
    },
    async stop() {
      updates.stop();
    },
  };
}

/** The version the booted slot holds, as the installer recorded it. */
async function runningVersion(boot: BootControl): Promise<string | undefined> {
  return (await boot.slotRecordsStore().read())[boot.bootedSystemFacts().slot]?.version;
}
