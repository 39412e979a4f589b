import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import { ServiceControlError, type ServiceControl } from './ServiceControl.js';

/** One unit of the simulated system, as its unit file would say. */
export interface SimulatedUnit {
  /** Started at every boot. */
  enabled: boolean;
  /** Keeps the inactive slot open while it runs (like a background fsck or an indexer of it). */
  holdsInactiveSlot?: boolean;
  /** Its start fails (a broken unit): to see how the installer reports it. */
  failsToStart?: boolean;
  /** Its stop fails (a unit that hangs in its stop job). */
  failsToStop?: boolean;
  /** Its start at boot fails (a unit an update broke): it boots 'failed' instead of 'active'. */
  failsAtBoot?: boolean;
}

export type SimulatedUnitState = 'active' | 'inactive' | 'failed';

/** What the simulated headset runs besides headsetd (written by the factory, like unit files in the image). */
export const SIMULATED_UNITS: Readonly<Record<string, SimulatedUnit>> = {
  'headset-slot-inspector.service': { enabled: true, holdsInactiveSlot: true },
  'headset-tracking.service': { enabled: true },
  'headset-data-sync.service': { enabled: true },
};

/**
 * The simulated device's systemd: a unit table on the image side and the units' states in the
 * volatile run folder, which the firmware empties at every power-on. A unit with no recorded state
 * is in its boot state: active when enabled (failed if its boot start fails). So a power cut between a stop and its start leaves
 * the unit started at the next boot, as on a real system.
 */
export class SimulatedServiceControl implements ServiceControl {
  constructor(
    private readonly unitsFile: string,
    private readonly statesFile: string,
  ) {}

  async units(): Promise<Record<string, SimulatedUnit>> {
    return (await readJsonIfExists<Record<string, SimulatedUnit>>(this.unitsFile)) ?? {};
  }

  async states(): Promise<Record<string, SimulatedUnitState>> {
    const units = await this.units();
    const recorded = (await readJsonIfExists<Record<string, SimulatedUnitState>>(this.statesFile)) ?? {};
    return Object.fromEntries(Object.entries(units).map(([name, unit]) => [name, recorded[name] ?? bootState(unit)]));
  }

  /** A unit the system does not have is not running: nothing to stop. */
  async stop(unit: string): Promise<void> {
    const definition = (await this.units())[unit];
    if (!definition) return;
    if (definition.failsToStop) throw new ServiceControlError(unit, 'stop', `Job for ${unit} canceled.`);
    await this.setState(unit, 'inactive');
  }

  async start(unit: string): Promise<void> {
    const definition = await this.unit(unit, 'start');
    if ((await this.states())[unit] === 'active') return;
    if (definition.failsToStart) {
      await this.setState(unit, 'failed');
      throw new ServiceControlError(unit, 'start', `Job for ${unit} failed because the control process exited with error code.`);
    }
    await this.setState(unit, 'active');
  }

  async holdersOfInactiveSlot(): Promise<string[]> {
    return Object.entries(await this.units())
      .filter(([, unit]) => unit.holdsInactiveSlot)
      .map(([name]) => name);
  }

  /** Every enabled unit must be active. */
  async notRunningAfterBoot(): Promise<string[]> {
    const units = await this.units();
    return Object.entries(await this.states())
      .filter(([name, state]) => units[name]?.enabled && state !== 'active')
      .map(([name]) => name);
  }

  private async unit(name: string, action: 'start'): Promise<SimulatedUnit> {
    const unit = (await this.units())[name];
    if (!unit) throw new ServiceControlError(name, action, `Unit ${name} not found.`);
    return unit;
  }

  private async setState(unit: string, state: SimulatedUnitState): Promise<void> {
    const recorded = (await readJsonIfExists<Record<string, SimulatedUnitState>>(this.statesFile)) ?? {};
    recorded[unit] = state;
    await writeFileAtomic(this.statesFile, JSON.stringify(recorded, null, 2));
  }
}

/** What systemd leaves a unit in after the boot started (or did not start) it. */
function bootState(unit: SimulatedUnit): SimulatedUnitState {
  if (!unit.enabled) return 'inactive';
  return unit.failsAtBoot ? 'failed' : 'active';
}
