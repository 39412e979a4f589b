import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResetState } from '../../../src/api/contract/reset.js';
import { SANITIZATION_FORMAT, type SanitizationRecord } from '../../../src/reset/sanitizationRecord.js';
import type { WipeScope } from '../../../src/reset/wipeScopes.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import type { SanitizationRecords } from '../userData/SanitizationRecords.js';
import type { SecureWipe } from '../userData/SecureWipe.js';
import {
  classOfPath,
  classesErasedBy,
  resolveUserDataClass,
  userDataClass,
  type UserDataClass,
  type UserDataClassId,
  type UserDataRoots,
} from '../userData/userDataClasses.js';
import { configurationAtDefaults, type ConfigurationReset } from './ConfigurationReset.js';
import type { HardwareReset } from './hardware/HardwareReset.js';
import type { ResetFacts, ResetJournal, ResetJournalEntry } from './ResetJournal.js';

/**
 * The reset transaction: one journaled state machine for every wipe, the factory reset included.
 *
 *            confirm (PIN + explicit yes)
 *   idle ──────────────────────────────▶ destroy-keys ──▶ erase ──▶ defaults ──▶ verify ──▶ restart ──▶ idle
 *    ▲        journal written first         │  keys of     │ files    │ folders   │ checks,   │ journal
 *    │                                      │  every class │ deleted  │ empty,    │ signed    │ cleared at
 *    │                                      │  destroyed   │          │ setup due │ record    │ the next start
 *    └──────────────── a power cut anywhere: the next start reads the journal and resumes at its step
 *
 * The journal lives on the persist partition and is written (crash-safe) before its step runs;
 * every step is idempotent, so a cut mid-step runs it again. Nothing is touched before the first
 * journal write is durable: after a cut the headset is untouched or the reset finishes, never
 * half-wiped. Calibration and identity (but for decommissioning) are never among the classes erased.
 */
export interface ResetTransactionOptions {
  roots: UserDataRoots;
  wipe: SecureWipe;
  journal: ResetJournal;
  records: SanitizationRecords;
  identity: { deviceId: string; publicKey: string; model: string; sign(message: Uint8Array): Uint8Array };
  software: { appVersion: string; commit: string };
  /** The restart that ends a reset (a reboot; the simulated headset's orderly stop). */
  restart(): Promise<void>;
  /**
   * Stops the services that write user data before the first key goes, as a reset in recovery
   * would run with nothing else up: a GPS fix saved mid-wipe would be a file left in an erased class.
   * The restart at the end brings them back.
   */
  quiesce?(): Promise<void>;
  /** Device-level erasure and its check beyond the classes (linux: LUKS2 `erase` on decommissioning). */
  deviceErase?: (scope: WipeScope) => Promise<Array<{ name: string; passed: boolean; detail: string }>>;
  /** A factory reset's defaults step also restores the declared configuration and the network settings (000 §3.3). */
  configuration?: ConfigurationReset;
  /** A factory reset's hardware step (000 §3.4): peripherals power-cycled, brought up and verified. */
  hardware?: HardwareReset;
  now?: () => Date;
  log?: { info(message: string, fields?: Record<string, unknown>): void; error(message: string, fields?: Record<string, unknown>): void };
}

export class ResetTransaction {
  readonly state = new StateChannel<ResetState>({ status: 'idle', last: null });
  private running: Promise<void> | undefined;
  /** The factory reset's hardware step's failures, logged once the erased logs were checked (undefined after a resume past it). */
  private hardwareFailures: string[] | undefined;

  constructor(private readonly options: ResetTransactionOptions) {}

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * At start: the last record for `idle`, and a journal left by a cut resumed. Resolves once the
   * state is known; `done` once a resumed wipe finished (with its restart).
   */
  async resume(): Promise<{ done: Promise<void> }> {
    const latest = await this.options.records.latest().catch(() => null);
    if (latest)
      this.state.set({
        status: 'idle',
        last: {
          recordId: latest.record.id,
          scopes: latest.record.scopes,
          verification: latest.record.verification,
          finishedAt: latest.record.finishedAt,
        },
      });
    const entry = await this.options.journal.read();
    if (!entry) return { done: Promise.resolve() };
    if (entry.step === 'restart') {
      // The restart that ended it happened: this is the start after it.
      await this.options.journal.clear();
      this.state.set({
        status: 'idle',
        last: { recordId: entry.recordId, scopes: [entry.scope], verification: entry.verification, finishedAt: entry.finishedAt },
      });
      this.options.log?.info('reset finished by the restart', { scope: entry.scope, recordId: entry.recordId });
      return { done: Promise.resolve() };
    }
    this.options.log?.info('resuming a reset cut short', { scope: entry.scope, step: entry.step });
    this.state.set({ status: 'wiping', scope: entry.scope, phase: phaseOf(entry.step), startedAt: entry.startedAt });
    return { done: this.track(this.run(entry)) };
  }

  /**
   * Confirms and journals a wipe of `scope`, then runs it; resolves once the journal is durable
   * (the caller's answer), the steps going on after. `done` resolves when it finished.
   */
  async begin(scope: WipeScope, options: { overwritePasses?: number; overwriteReason?: string | null } = {}): Promise<{ done: Promise<void> }> {
    if (this.running) throw new Error('a reset is already under way');
    const classes = classesErasedBy(scope);
    const facts: ResetFacts = {
      id: randomUUID(),
      scope,
      startedAt: this.now(),
      overwritePasses: options.overwritePasses ?? 1,
      overwriteReason: (options.overwritePasses ?? 1) > 1 ? (options.overwriteReason ?? 'asked for on a medium that overwrites in place') : null,
      inventory: await this.options.wipe.inventory(classes),
      keyed: (await this.options.wipe.verify(classes)).filter((v) => v.keyPresent).map((v) => v.classId),
      keptHashes: await this.keptHashes(scope),
    };
    // The commit point: from here a cut finishes the reset instead of forgetting it.
    await this.options.journal.write({ ...facts, step: 'destroy-keys' });
    const done = this.track(this.run({ ...facts, step: 'destroy-keys' }));
    return { done };
  }

  private track(work: Promise<void>): Promise<void> {
    const running = work.finally(() => {
      this.running = undefined;
    });
    this.running = running;
    return running;
  }

  private async run(entry: ResetJournalEntry): Promise<void> {
    // Decommissioning erases the identity last, once the record is signed with its key (the record proves who was retired).
    const identity = classesErasedBy(entry.scope).filter((c) => c.id === 'identity');
    const classes = classesErasedBy(entry.scope).filter((c) => c.id !== 'identity');
    const { id, scope, startedAt, overwritePasses, overwriteReason, inventory, keyed, keptHashes } = entry;
    const facts: ResetFacts = { id, scope, startedAt, overwritePasses, overwriteReason, inventory, keyed, keptHashes };
    const phase = (p: Extract<ResetState, { status: 'wiping' }>['phase']) =>
      this.state.set({ status: 'wiping', scope: entry.scope, phase: p, startedAt: entry.startedAt });
    let step = entry.step;
    try {
      phase(phaseOf(step));
      await this.options.quiesce?.();
      if (step === 'destroy-keys') {
        phase('destroying-keys');
        await this.options.wipe.destroyKeys(classes);
        await this.options.journal.write({ ...facts, step: (step = 'erase') });
      }
      if (step === 'erase') {
        phase('erasing');
        await this.options.wipe.erase(classes, { overwritePasses: facts.overwritePasses });
        await this.options.journal.write({ ...facts, step: (step = 'defaults') });
      }
      if (step === 'defaults') {
        phase('restoring-defaults');
        await this.restoreDefaults(classes);
        // Idempotent like every step: a cut repeats it. The PIN and the profile were erased above.
        if (entry.scope === 'everything')
          await this.options.configuration?.run(
            { keepPin: false, keepAccounts: false },
            (path) => {
              const owner = classOfPath(path, this.options.roots);
              return owner !== undefined && classes.includes(owner);
            },
            false,
          );
        // Then the hardware: each peripheral brought up again and verified (logged after the check; the IMU keeps its bias, the headset may be moving now).
        if (entry.scope === 'everything') {
          const hardware = await this.options.hardware?.run({ recalibrateImu: false, log: false });
          if (hardware) this.hardwareFailures = hardware.peripherals.filter((p) => !p.ok).map((p) => `${p.id}@${p.reached}: ${p.detail}`);
        }
        await this.options.journal.write({ ...facts, step: (step = 'verify') });
      }
      let signed =
        entry.step === 'retire-identity' || entry.step === 'restart'
          ? { recordId: entry.recordId, verification: entry.verification, finishedAt: entry.finishedAt }
          : undefined;
      if (step === 'verify') {
        phase('verifying');
        const record = await this.verifyAndRecord(facts, classes);
        signed = { recordId: record.id, verification: record.verification, finishedAt: record.finishedAt };
        await this.options.journal.write({ ...facts, step: (step = identity.length > 0 ? 'retire-identity' : 'restart'), ...signed });
      }
      if (step === 'retire-identity' && signed) {
        // The record is signed and stored: now the key that signed it goes (a cut here erases it at the next start).
        phase('verifying');
        await this.options.wipe.erase(identity);
        const left = (await this.options.wipe.verify(identity)).flatMap((v) => v.remaining);
        if (left.length > 0) throw new Error(`the device identity is not erased: ${left.join(', ')}`);
        this.options.log?.info('device identity erased after the record was signed with it', { recordId: signed.recordId });
        await this.options.journal.write({ ...facts, step: (step = 'restart'), ...signed });
      }
      if (step === 'restart' && signed) {
        this.options.log?.info('reset done; restarting', {
          scope: facts.scope,
          verification: signed.verification,
          recordId: signed.recordId,
          ...(this.hardwareFailures ? { hardwareFailures: this.hardwareFailures } : {}),
        });
        this.state.set({ status: 'wiping', scope: entry.scope, phase: 'restarting', startedAt: entry.startedAt });
        await this.options.restart();
      }
    } catch (error) {
      this.state.set({ status: 'failed', scope: entry.scope, phase: phaseOf(step), message: (error as Error).message });
      this.options.log?.error('reset step failed; it runs again at the next start', { scope: entry.scope, step, error: (error as Error).message });
      throw error;
    }
  }

  /** The erased classes' folders are there again, empty: the services start on defaults (the setup wizard after `everything`). */
  private async restoreDefaults(classes: readonly UserDataClass[]): Promise<void> {
    for (const cls of classes)
      for (const location of resolveUserDataClass(cls, this.options.roots)) if (location.folder) await mkdir(location.path, { recursive: true });
  }

  private async verifyAndRecord(facts: ResetFacts, classes: readonly UserDataClass[]): Promise<SanitizationRecord> {
    const verification = await this.options.wipe.verify(classes);
    const deviceChecks = (await this.options.deviceErase?.(facts.scope)) ?? [];
    if (facts.scope === 'everything' && this.options.configuration)
      deviceChecks.push({ name: 'configuration at its defaults', ...(await configurationAtDefaults(this.options.roots.state)) });
    const keptNow = await this.keptHashes(facts.scope);
    const keptChecks = facts.keptHashes.map((before) => {
      const after = keptNow.find((k) => k.classId === before.classId);
      return { name: `${before.classId} unchanged`, passed: after?.sha256 === before.sha256, detail: `sha256 ${after?.sha256 ?? 'absent'}` };
    });
    const checks = [
      ...verification.map((v) => ({
        name: `${v.classId} erased`,
        passed: v.ok,
        detail: v.ok ? 'no file and no key left' : `${v.remaining.length} files left${v.keyPresent ? ', key present' : ''}`,
      })),
      ...keptChecks,
      ...deviceChecks,
    ];
    const passed = checks.every((c) => c.passed);
    const record: SanitizationRecord = {
      format: SANITIZATION_FORMAT,
      id: facts.id,
      deviceId: this.options.identity.deviceId,
      model: this.options.identity.model,
      scopes: [facts.scope],
      classes: facts.inventory.map((inv) => {
        const check = verification.find((v) => v.classId === inv.classId);
        return {
          ...inv,
          keyDestroyed: facts.keyed.includes(inv.classId) && check?.keyPresent === false,
          verified: check?.ok ?? false,
        };
      }),
      kept: facts.keptHashes,
      overwritePasses: facts.overwritePasses,
      overwriteReason: facts.overwriteReason,
      checks,
      verification: passed ? 'passed' : 'failed',
      startedAt: facts.startedAt,
      finishedAt: this.now(),
      software: this.options.software,
      publicKey: this.options.identity.publicKey,
    };
    await this.options.records.save(record, (message) => this.options.identity.sign(message));
    return record;
  }

  /** SHA-256 over the files of every class a scope keeps that must not change (calibration, identity but when decommissioning). */
  private async keptHashes(scope: WipeScope): Promise<Array<{ classId: string; sha256: string | null }>> {
    const guarded: UserDataClassId[] = scope === 'decommission' ? ['calibration'] : ['calibration', 'identity'];
    const result: Array<{ classId: string; sha256: string | null }> = [];
    for (const id of guarded) {
      const cls = userDataClass(id);
      if (classesErasedBy(scope).includes(cls)) continue;
      result.push({ classId: id, sha256: await hashLocations(cls, this.options.roots) });
    }
    return result;
  }
}

function phaseOf(step: ResetJournalEntry['step']): Extract<ResetState, { status: 'failed' }>['phase'] {
  return step === 'destroy-keys'
    ? 'destroying-keys'
    : step === 'erase'
      ? 'erasing'
      : step === 'defaults'
        ? 'restoring-defaults'
        : step === 'verify' || step === 'retire-identity'
          ? 'verifying'
          : 'restarting';
}

async function hashLocations(cls: UserDataClass, roots: UserDataRoots): Promise<string | null> {
  const hash = createHash('sha256');
  let any = false;
  for (const location of resolveUserDataClass(cls, roots)) {
    const files = location.folder
      ? (await readdir(location.path, { withFileTypes: true, recursive: true }).catch(() => []))
          .filter((e) => e.isFile())
          .map((e) => join(e.parentPath, e.name))
          .sort()
      : [location.path];
    for (const file of files) {
      const bytes = await readFile(file).catch(() => null);
      if (!bytes) continue;
      any = true;
      hash.update(file.slice(location.path.length)).update('\0').update(bytes);
    }
  }
  return any ? hash.digest('hex') : null;
}
