import { join } from 'node:path';
import { isTelemetryCategory, type TelemetryCategoryId } from '../../../src/telemetry/categories.js';
import { initialConsent, parseConsent, type ConsentState } from '../../../src/telemetry/consent.js';
import { readFileIfExists, writeFileAtomic } from '../storage/atomicFile.js';

const FILE = 'privacy-consent.json';

/**
 * What a withdrawal still owes after the decision is on disk: purging the categories' queued
 * records, sending their deletion requests, replacing the pseudonym key. Saved with the decision in
 * one atomic write, cleared once done, so a power cut in between finishes it at the next start.
 */
export interface PendingWithdrawal {
  categories: TelemetryCategoryId[];
  resetPseudonym: boolean;
}

export const NOTHING_PENDING: PendingWithdrawal = { categories: [], resetPseudonym: false };

/**
 * The wearer's consent on disk (crash-safe replace). An unreadable file counts as never decided:
 * only essential collects and the wearer is asked again; that errs on the side of privacy.
 */
export class ConsentStore {
  constructor(private readonly stateDir: string) {}

  get path(): string {
    return join(this.stateDir, FILE);
  }

  async load(): Promise<{ state: ConsentState; pending: PendingWithdrawal; unreadable: boolean }> {
    const content = await readFileIfExists(this.path);
    if (content === undefined) return { state: initialConsent(), pending: NOTHING_PENDING, unreadable: false };
    try {
      const raw = JSON.parse(content.toString('utf8')) as { pending?: { categories?: unknown[]; resetPseudonym?: unknown } };
      const categories = (raw.pending?.categories ?? []).filter(isTelemetryCategory);
      return { state: parseConsent(raw), pending: { categories, resetPseudonym: raw.pending?.resetPseudonym === true }, unreadable: false };
    } catch {
      return { state: initialConsent(), pending: NOTHING_PENDING, unreadable: true };
    }
  }

  async save(state: ConsentState, pending: PendingWithdrawal = NOTHING_PENDING): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify({ ...state, pending }, null, 2)}\n`, { mode: 0o600 });
  }
}
