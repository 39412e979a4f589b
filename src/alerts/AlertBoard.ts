import type { Alert, AlertId, AlertsState } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import { ALERT_KINDS, presentAlerts } from './alertText.js';
import { evaluateConditions, type AlertFacts, type Condition } from './rules.js';
import { checkAlertThresholds, type AlertThresholds } from './thresholds.js';

/** What one evaluation changed. */
export interface AlertChanges {
  /** Conditions raised anew (a new subject counts: another version offered, another failure). */
  raised: Condition[];
  /** Conditions that stopped holding. */
  cleared: Condition[];
  /** The alerts shown differ (a raise, a clear, or new words: a new reading). */
  changed: boolean;
  /** The dismissals changed: a dismissed condition cleared or changed subject. */
  dismissalsChanged: boolean;
}

/**
 * The alerts of one headset: the raised conditions (evaluated from the facts with thresholds and
 * hysteresis), the wearer's dismissals, and what is shown. Pure: headsetd feeds it, logs what it
 * says changed and keeps the dismissals; the test device runs the same board.
 */
export class AlertBoard {
  private conditions = new Map<AlertId, Condition>();
  /** Dismissed alerts, by the subject they were dismissed for. */
  private readonly dismissed: Map<AlertId, string>;
  private shown: Alert[] = [];

  constructor(
    private readonly thresholds: AlertThresholds,
    dismissed: Iterable<readonly [AlertId, string]> = [],
  ) {
    checkAlertThresholds(thresholds);
    this.dismissed = new Map(dismissed);
  }

  state(): AlertsState {
    return { alerts: this.shown };
  }

  /** The dismissals to keep across restarts. */
  dismissals(): [AlertId, string][] {
    return [...this.dismissed];
  }

  update(facts: AlertFacts, now: Date): AlertChanges {
    const before = this.conditions;
    const after = evaluateConditions(before, facts, this.thresholds, now);
    const raised = [...after.values()].filter((c) => before.get(c.id)?.since !== c.since);
    const cleared = [...before.values()].filter((c) => !after.has(c.id));
    let dismissalsChanged = false;
    // A dismissal lasts as long as what it was about: a cleared condition, or one about something
    // new, shows again next time.
    for (const [id, subject] of this.dismissed) {
      const condition = after.get(id);
      const gone = condition ? condition.subject !== subject : before.has(id);
      if (gone) {
        this.dismissed.delete(id);
        dismissalsChanged = true;
      }
    }
    this.conditions = after;
    return { raised, cleared, changed: this.present(), dismissalsChanged };
  }

  /**
   * Puts away a dismissible alert until its condition clears or changes subject. An alert that is
   * not raised (it cleared meanwhile) is left alone: true when what is shown changed.
   */
  dismiss(id: AlertId): boolean {
    const condition = this.conditions.get(id);
    if (!condition) return false;
    if (!ALERT_KINDS[id].dismissible) throw new AppError('ALERT_NOT_DISMISSIBLE', undefined, { id });
    if (this.dismissed.get(id) === condition.subject) return false;
    this.dismissed.set(id, condition.subject);
    return this.present();
  }

  private present(): boolean {
    const next = presentAlerts(this.conditions.values(), this.dismissed);
    const changed = JSON.stringify(next) !== JSON.stringify(this.shown);
    if (changed) this.shown = next;
    return changed;
  }
}
