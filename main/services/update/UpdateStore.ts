import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { UpdateSettings } from '../../../src/api/contract.js';
import { fsyncDirectory, readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { CatalogEntry } from './UpdateCatalog.js';

export const DEFAULT_UPDATE_SETTINGS: UpdateSettings = { bandwidthLimitBytesPerSecond: null, allowMetered: false, checkIntervalHours: 6 };

/** An update found by a check, as saved until it is installed or left behind. */
export interface SavedOffer {
  entry: CatalogEntry;
  /** The wearer asked for the download (and has not paused it). */
  downloading: boolean;
  paused: boolean;
}

/**
 * What of the update service must survive a restart, each in its own file of the state folder
 * (written atomically): the wearer's settings, when the last check was, and the offer, whose
 * bundle downloads into update-cache/.
 */
export class UpdateStore {
  private savedSettings: UpdateSettings = DEFAULT_UPDATE_SETTINGS;
  private savedLastCheck: string | null = null;
  private savedOffer: SavedOffer | undefined;

  constructor(private readonly stateDir: string) {}

  get settings(): UpdateSettings {
    return this.savedSettings;
  }

  get lastCheck(): string | null {
    return this.savedLastCheck;
  }

  get offer(): SavedOffer | undefined {
    return this.savedOffer;
  }

  async load(): Promise<void> {
    this.savedSettings = { ...DEFAULT_UPDATE_SETTINGS, ...(await readJsonIfExists<UpdateSettings>(this.file('update-settings.json'))) };
    this.savedLastCheck = (await readJsonIfExists<{ at: string }>(this.file('update-last-check.json')))?.at ?? null;
    this.savedOffer = await readJsonIfExists<SavedOffer>(this.file('update-offer.json'));
  }

  async saveSettings(change: Partial<UpdateSettings>): Promise<UpdateSettings> {
    this.savedSettings = { ...this.savedSettings, ...change };
    await writeFileAtomic(this.file('update-settings.json'), JSON.stringify(this.savedSettings));
    return this.savedSettings;
  }

  async saveLastCheck(at: string): Promise<void> {
    this.savedLastCheck = at;
    await writeFileAtomic(this.file('update-last-check.json'), JSON.stringify({ at }));
  }

  async saveOffer(offer: SavedOffer | undefined): Promise<void> {
    this.savedOffer = offer;
    if (offer) await writeFileAtomic(this.file('update-offer.json'), JSON.stringify(offer));
    else {
      await rm(this.file('update-offer.json'), { force: true });
      // Durable before anyone relies on it: a cut must not bring the offer back.
      await fsyncDirectory(this.stateDir);
    }
  }

  /** Forgets the offer and its download (installed, rolled back, or left behind). */
  async dropOffer(): Promise<void> {
    this.savedOffer = undefined;
    await rm(this.file('update-offer.json'), { force: true });
    await rm(this.cacheDir, { recursive: true, force: true });
    await fsyncDirectory(this.stateDir);
  }

  /** Where the offer's bundle downloads to (and stays until it is installed and kept, or dropped). */
  bundlePath(entry: CatalogEntry): string {
    return join(this.cacheDir, entry.target.replace(/[^A-Za-z0-9._-]/g, '_'));
  }

  private get cacheDir(): string {
    return join(this.stateDir, 'update-cache');
  }

  private file(name: string): string {
    return join(this.stateDir, name);
  }
}
