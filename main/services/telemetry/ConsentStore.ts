import { join } from 'node:path';
import { initialConsent, parseConsent, type ConsentState } from '../../../src/telemetry/consent.js';
import { readFileIfExists, writeFileAtomic } from '../storage/atomicFile.js';

const FILE = 'privacy-consent.json';

/**
 * The wearer's consent on disk (crash-safe replace). An unreadable file counts as never decided:
 * only essential collects and the wearer is asked again; that errs on the side of privacy.
 */
export class ConsentStore {
  constructor(private readonly stateDir: string) {}

  get path(): string {
    return join(this.stateDir, FILE);
  }

  async load(): Promise<{ state: ConsentState; unreadable: boolean }> {
    const content = await readFileIfExists(this.path);
    if (content === undefined) return { state: initialConsent(), unreadable: false };
    try {
      return { state: parseConsent(JSON.parse(content.toString('utf8'))), unreadable: false };
    } catch {
      return { state: initialConsent(), unreadable: true };
    }
  }

  async save(state: ConsentState): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  }
}
