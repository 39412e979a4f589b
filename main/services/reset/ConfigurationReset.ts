import { createHash } from 'node:crypto';
import { AppError } from '../../../src/api/errors.js';
import { readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureDirectory, fsyncDirectory, writeFileAtomic } from '../storage/atomicFile.js';
import { CONFIGURATION_DEFAULTS, type ConfigurationDefault } from './configurationDefaults.js';

/**
 * What the network capability is asked for: its saved networks back to the defaults in its own
 * stack (NetworkManager's profiles): the wearer's forgotten with their keys, support networks kept.
 * `quiet`: no audit lines (inside a factory reset, between the logs' erase and their check).
 */
export interface NetworkSettingsReset {
  resetToDefaults(options?: { quiet?: boolean }): Promise<{ forgotten: number; kept?: number }>;
}

export interface ConfigurationResetChoices {
  /** Keep the screen-lock PIN (else its class is erased). */
  keepPin: boolean;
  /** Keep the wearer's accounts and profile (else the profile class is erased). */
  keepAccounts: boolean;
}

export interface ConfigurationResetReport {
  restored: Array<{ id: string; title: string; to: 'default' | 'absent' }>;
  pin: 'kept' | 'removed';
  accounts: 'kept' | 'removed';
  network: { result: 'reset'; forgotten: number; kept: number } | { result: 'not-available'; why: string } | { result: 'failed'; code: string };
  calibration: { before: string | null; after: string | null; unchanged: boolean };
}

export interface ConfigurationResetOptions {
  stateDir: string;
  /** The calibration folder on the persist partition: hashed before and after, never written. */
  calibrationDir: string;
  /** Erases whole user-data classes (keys first): the reset's SecureWipe over the registry. */
  eraseClasses(ids: Array<'pin' | 'profile'>): Promise<void>;
  /** The network capability's reset; without it the report says the network settings were not reset. */
  network?: NetworkSettingsReset;
  table?: readonly ConfigurationDefault[];
  log?: { info(message: string, fields?: Record<string, unknown>): void };
}

/**
 * Configuration reset (000 §3.3): the declared defaults written back (crash-safe), the network
 * settings reset through the network capability's port, the PIN and the wearer's accounts removed or
 * kept as chosen (keys first), and calibration proven unchanged by its SHA-256 before and after.
 * Each step is idempotent: a power cut mid-step runs it again with the same result.
 */
export class ConfigurationReset {
  constructor(private readonly options: ConfigurationResetOptions) {}

  /**
   * The whole reset in one go (the factory reset's defaults step, itself journaled by the reset
   * transaction; `reset.configure` journals each step: ConfigurationResetTransaction). `erased`: see restoreDefaults.
   */
  async run(
    choices: ConfigurationResetChoices,
    erased: (path: string) => boolean = () => false,
    /** False inside a wipe: a log line written between the erase and its check would be a file in the erased logs. */
    log = true,
  ): Promise<ConfigurationResetReport> {
    const before = await this.calibrationHash();
    await this.eraseChosen(choices);
    const restored = await this.restoreDefaults(erased);
    const network = await this.resetNetwork(!log);
    return this.finish({ choices, restored, network, calibrationBefore: before }, log);
  }

  /** SHA-256 of the calibration folder (taken before anything and again at the end). */
  calibrationHash(): Promise<string | null> {
    return hashFolder(this.options.calibrationDir);
  }

  /** The PIN's and the accounts' classes erased (keys first) unless kept. Idempotent. */
  async eraseChosen(choices: ConfigurationResetChoices): Promise<void> {
    const erase: Array<'pin' | 'profile'> = [...(choices.keepPin ? [] : (['pin'] as const)), ...(choices.keepAccounts ? [] : (['profile'] as const))];
    if (erase.length > 0) await this.options.eraseClasses(erase);
  }

  /**
   * The declared table written back (crash-safe). `erased` says which files a wipe in the same reset
   * has just erased: they are left absent (the factory reset's verification finds no file in an
   * erased class), which their services read as the default where the table says so. Idempotent.
   */
  async restoreDefaults(erased: (path: string) => boolean = () => false): Promise<ConfigurationResetReport['restored']> {
    const restored: ConfigurationResetReport['restored'] = [];
    for (const entry of this.options.table ?? CONFIGURATION_DEFAULTS) {
      const path = join(this.options.stateDir, entry.path);
      if (erased(path) && (entry.value === 'absent' || entry.absentIsDefault)) {
        restored.push({ id: entry.id, title: entry.title, to: 'absent' });
        continue;
      }
      if (entry.value === 'absent') {
        await rm(path, { force: true });
        await fsyncDirectory(dirname(path)).catch(() => undefined);
      } else {
        await ensureDirectory(dirname(path));
        await writeFileAtomic(path, JSON.stringify(entry.value.json));
      }
      restored.push({ id: entry.id, title: entry.title, to: entry.value === 'absent' ? 'absent' : 'default' });
    }
    return restored;
  }

  /**
   * The network capability's reset to defaults, or why there was none. Idempotent (a second run
   * forgets what is left). A stack that fails (nmcli missing, NetworkManager down) is reported with
   * its code, not thrown: the rest of the reset stands, and a reset run again tries the network again.
   */
  async resetNetwork(quiet = false): Promise<ConfigurationResetReport['network']> {
    if (!this.options.network) return { result: 'not-available', why: 'this headset has no network capability' };
    try {
      const { forgotten, kept } = await this.options.network.resetToDefaults({ quiet });
      return { result: 'reset', forgotten, kept: kept ?? 0 };
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'INTERNAL';
      if (!quiet) this.options.log?.info('configuration reset: the network settings could not be reset', { code });
      return { result: 'failed', code };
    }
  }

  /** The report, calibration hashed again against the hash taken before; logged unless inside a wipe. */
  async finish(
    done: {
      choices: ConfigurationResetChoices;
      restored: ConfigurationResetReport['restored'];
      network: ConfigurationResetReport['network'];
      calibrationBefore: string | null;
    },
    log = true,
  ): Promise<ConfigurationResetReport> {
    const after = await this.calibrationHash();
    const report: ConfigurationResetReport = {
      restored: done.restored,
      pin: done.choices.keepPin ? 'kept' : 'removed',
      accounts: done.choices.keepAccounts ? 'kept' : 'removed',
      network: done.network,
      calibration: { before: done.calibrationBefore, after, unchanged: done.calibrationBefore === after },
    };
    if (log)
      this.options.log?.info('configuration reset', {
        restored: report.restored.map((r) => r.id),
        pin: report.pin,
        accounts: report.accounts,
        network: report.network.result,
        calibrationUnchanged: report.calibration.unchanged,
        calibrationSha256: after,
      });
    return report;
  }
}

/** Whether every entry of the table is at its default now (the reset's verification step reads it back). */
export async function configurationAtDefaults(
  stateDir: string,
  table: readonly ConfigurationDefault[] = CONFIGURATION_DEFAULTS,
): Promise<{ passed: boolean; detail: string }> {
  const off: string[] = [];
  for (const entry of table) {
    const text = await readFile(join(stateDir, entry.path), 'utf8').catch(() => undefined);
    const atDefault =
      entry.value === 'absent'
        ? text === undefined
        : text === undefined
          ? entry.absentIsDefault === true
          : JSON.stringify(JSON.parse(text)) === JSON.stringify(entry.value.json);
    if (!atDefault) off.push(entry.id);
  }
  return {
    passed: off.length === 0,
    detail: off.length === 0 ? `${table.length} settings at their defaults` : `not at the default: ${off.join(', ')}`,
  };
}

/** SHA-256 over a folder's files (relative names and bytes, sorted); null when it holds none. */
export async function hashFolder(dir: string): Promise<string | null> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  if (files.length === 0) return null;
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(file.slice(dir.length))
      .update('\0')
      .update(await readFile(file));
  return hash.digest('hex');
}
