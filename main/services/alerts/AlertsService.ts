import type { AlertId, AlertsState, UpdateStatus } from '../../../src/api/contract.js';
import { ALERT_IDS } from '../../../src/api/contract/alerts.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { AlertBoard, type AlertChanges } from '../../../src/alerts/AlertBoard.js';
import { describeCondition } from '../../../src/alerts/alertText.js';
import type { AlertFacts, Condition } from '../../../src/alerts/rules.js';
import type { AlertThresholds } from '../../../src/alerts/thresholds.js';
import { errorMessage } from '../../../src/errorText.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { AlertSources } from './ports.js';

export interface AlertsServiceOptions {
  thresholds: AlertThresholds;
  /** Where the wearer's dismissals are kept across restarts. */
  dismissalsFile: string;
  log: SubsystemLogger;
  now?: () => Date;
  /** How often the crash records are read again: another process's crash writes one at any time. */
  crashPollMs?: number;
}

const DEFAULT_CRASH_POLL_MS = 30_000;

/**
 * headsetd's alerts: the rules (src/alerts/) run on every pushed health snapshot, update status and
 * boot status, and on the crash records read every half minute. The alerts showing are pushed whole
 * (`alerts.changed`); each raise and clear is logged under subsystem `alerts`; the wearer's
 * dismissals are kept on disk.
 */
export class AlertsService {
  readonly state = new StateChannel<AlertsState>({ alerts: [] });
  private board: AlertBoard;
  private facts: AlertFacts = {};
  private readonly unsubscribes: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private readingInstalls: Promise<void> = Promise.resolve();
  private crashReadFailed = false;

  constructor(
    private readonly sources: AlertSources,
    private readonly options: AlertsServiceOptions,
  ) {
    this.board = new AlertBoard(options.thresholds);
  }

  async start(): Promise<void> {
    this.board = new AlertBoard(this.options.thresholds, await this.loadDismissals());
    const { health, updates, boot } = this.sources;
    this.facts = { health: health.current(), update: updates.current(), boot: boot.current() };
    await this.readCrashes();
    await this.readInstalls();
    this.evaluate();
    this.unsubscribes.push(
      health.subscribe((snapshot) => this.evaluate({ health: snapshot })),
      updates.subscribe((status) => {
        this.evaluate({ update: status });
        // The history is read, not pushed: a push after an entry is written is when it changed.
        if (this.sources.installs && isFinal(status)) {
          // One read after another: an older read never lands after a newer one.
          this.readingInstalls = this.readingInstalls.then(() => this.readInstalls()).then(() => this.evaluate());
        }
      }),
      boot.subscribe((status) => this.evaluate({ boot: status })),
    );
    this.timer = setInterval(() => void this.readCrashes().then(() => this.evaluate()), this.options.crashPollMs ?? DEFAULT_CRASH_POLL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    await this.readingInstalls;
    await this.saving;
  }

  async dismiss(id: AlertId): Promise<AlertsState> {
    if (this.board.dismiss(id)) {
      this.options.log.info(`alert dismissed: ${id}`, { alert: id });
      this.state.set(this.board.state());
      await this.saveDismissals();
    }
    return this.board.state();
  }

  private evaluate(change: AlertFacts = {}): void {
    this.facts = { ...this.facts, ...change };
    const now = this.options.now?.() ?? new Date();
    const changes = this.board.update(this.facts, now);
    this.logChanges(changes, now);
    if (changes.changed) this.state.set(this.board.state());
    if (changes.dismissalsChanged) void this.saveDismissals();
  }

  private logChanges({ raised, cleared }: AlertChanges, now: Date): void {
    const { log } = this.options;
    for (const condition of raised) {
      const alert = describeCondition(condition);
      const fields = { alert: condition.id, severity: alert.severity, title: alert.title, ...detailFields(condition) };
      if (alert.severity === 'info') log.info(`alert raised: ${condition.id}`, fields);
      else log.warn(`alert raised: ${condition.id}`, fields);
    }
    for (const condition of cleared) {
      const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(condition.since)) / 1000));
      log.info(`alert cleared: ${condition.id}`, { alert: condition.id, raisedAt: condition.since, lastedSeconds: seconds });
    }
  }

  private async readCrashes(): Promise<void> {
    try {
      this.facts = { ...this.facts, crashes: await this.sources.crashes.list() };
      this.crashReadFailed = false;
    } catch (error) {
      // The last list read stands; said once, not every half minute.
      if (!this.crashReadFailed) this.options.log.warn('alerts: could not read the crash records', { error: errorMessage(error) });
      this.crashReadFailed = true;
    }
  }

  private async readInstalls(): Promise<void> {
    if (!this.sources.installs) return;
    try {
      this.facts = { ...this.facts, installs: await this.sources.installs.history() };
    } catch (error) {
      this.options.log.warn('alerts: could not read the update history', { error: errorMessage(error) });
    }
  }

  private async loadDismissals(): Promise<[AlertId, string][]> {
    try {
      const saved = await readJsonIfExists<{ dismissed?: unknown }>(this.options.dismissalsFile);
      if (saved === undefined) return [];
      const entries = Array.isArray(saved.dismissed) ? saved.dismissed : [];
      return entries.filter(
        (entry): entry is [AlertId, string] =>
          Array.isArray(entry) && entry.length === 2 && (ALERT_IDS as readonly unknown[]).includes(entry[0]) && typeof entry[1] === 'string',
      );
    } catch (error) {
      // Unreadable: the dismissed update news shows again, nothing worse.
      this.options.log.warn('alerts: could not read the dismissals, starting without', { error: errorMessage(error) });
      return [];
    }
  }

  /** One write at a time, each with the board's dismissals as they are when it runs. */
  private saveDismissals(): Promise<void> {
    this.saving = this.saving.then(async () => {
      try {
        await writeFileAtomic(this.options.dismissalsFile, `${JSON.stringify({ dismissed: this.board.dismissals() })}\n`);
      } catch (error) {
        this.options.log.warn('alerts: could not keep the dismissals', { error: errorMessage(error) });
      }
    });
    return this.saving;
  }
}

/** A status no operation is running in: where the history may have a new entry. */
function isFinal(status: UpdateStatus): boolean {
  const state = status.state.status;
  return state !== 'checking' && state !== 'downloading' && state !== 'installing';
}

/** The readings behind a raise, for the log (numbers as fields, so they can be filtered and charted). */
function detailFields(condition: Condition): Record<string, unknown> {
  const detail: Record<string, unknown> = { ...condition.detail };
  if (condition.id === 'update-failed') delete detail.message; // the update subsystem logged it in full
  return detail;
}
