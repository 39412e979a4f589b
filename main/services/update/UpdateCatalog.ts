import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { checkFailed } from '../../../src/update/operationGuard.js';
import { targetCustomSchema } from '../../../src/update/manifest.js';
import { TIMESTAMP_SIGNED_AT } from '../../../src/update/tuf/metadata.js';
import { compareVersions } from '../../../src/update/version.js';
import { readJsonIfExists } from '../storage/atomicFile.js';

/** A bundle the repository offers, as its signed targets metadata describes it. */
export interface CatalogEntry {
  target: string;
  version: string;
  kind: 'full' | 'delta';
  deltaFrom?: string;
  length: number;
  sha256: string;
  installBytes: number;
  notes: string;
  url: string;
}

/**
 * The update repository as the device sees it, through tuf-js: `refresh` verifies the metadata
 * chain (root rotation, expiry, rollback and mix-and-match protection); an up-to-date check is
 * one small timestamp fetch. The choice is made from the verified targets only.
 */
export class UpdateCatalog {
  private readonly verifiedTimeListeners = new Set<(ms: number) => void>();

  constructor(
    private readonly repositoryUrl: string,
    /** Holds the trusted root.json, and the verified metadata tuf-js keeps between checks. */
    private readonly metadataDir: string,
  ) {}

  /** Whether the freshly verified metadata still lists this exact bundle for this version. */
  async vouchesFor(version: string, sha256: string): Promise<boolean> {
    await this.refresh();
    const targets = await this.verifiedTargets();
    return Object.values(targets).some((file) => file.hashes.sha256 === sha256 && file.custom?.version === version);
  }

  /** The newest bundle for `model` above `installedVersion`: a delta from it if offered, else the full one. */
  async newest(model: string, installedVersion: string, options: { deltas: boolean; only?: string }): Promise<CatalogEntry | undefined> {
    const entries = await this.verifiedEntries(model);
    // A fleet's rollout names the one version this headset may take (FleetRolloutLink).
    const newer = entries.filter(
      (e) => compareVersions(e.version, installedVersion) > 0 && (options.only === undefined || e.version === options.only),
    );
    if (newer.length === 0) return undefined;
    const best = newer.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a)).version;
    const candidates = newer.filter((e) => e.version === best);
    return (
      (options.deltas ? candidates.find((e) => e.kind === 'delta' && e.deltaFrom === installedVersion) : undefined) ??
      candidates.find((e) => e.kind === 'full')
    );
  }

  /**
   * Recovery's choice: the newest full system for `model` at `floor` or above (the floor itself
   * too: a damaged system is repaired with its own version); deltas never, the running slot may be damaged.
   */
  async newestFull(model: string, floor: string): Promise<CatalogEntry | undefined> {
    const full = (await this.verifiedEntries(model)).filter((e) => e.kind === 'full' && compareVersions(e.version, floor) >= 0);
    return full.length === 0 ? undefined : full.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a));
  }

  /** Every bundle for `model` the freshly verified targets metadata lists. */
  private async verifiedEntries(model: string): Promise<CatalogEntry[]> {
    await this.refresh();
    const targets = await this.verifiedTargets();
    const entries: CatalogEntry[] = [];
    for (const [target, file] of Object.entries(targets)) {
      // The custom metadata `repo add` publishes (src/update/manifest.ts); anything else is not a bundle for us.
      const parsed = targetCustomSchema.safeParse(file.custom);
      if (!parsed.success || parsed.data.compatible !== model) continue;
      const custom = parsed.data;
      entries.push({
        target,
        version: custom.version,
        kind: custom.kind,
        deltaFrom: custom.deltaFrom,
        length: file.length,
        sha256: file.hashes.sha256,
        installBytes: custom.images.reduce((sum, image) => sum + image.size, 0),
        notes: custom.notes ?? '',
        url: `${this.repositoryUrl}/targets/${file.hashes.sha256}.${target}`,
      });
    }
    return entries;
  }

  private async refresh(): Promise<void> {
    const updater = new Updater({
      metadataDir: this.metadataDir,
      metadataBaseUrl: this.repositoryUrl,
      targetBaseUrl: `${this.repositoryUrl}/targets`,
      config: { fetchRetries: 0, fetchTimeout: 20_000 },
    });
    try {
      await updater.refresh();
    } catch (error) {
      throw checkFailed(`The update repository was not accepted: ${(error as Error).message}`);
    }
    await this.announceSigningTime();
  }

  /**
   * Calls back with the signing time of each timestamp metadata verified from now on (ms since the
   * epoch): a time the repository vouches had come, whatever the headset's clock says. Returns an unsubscribe.
   */
  onVerifiedTime(listener: (ms: number) => void): () => void {
    this.verifiedTimeListeners.add(listener);
    return () => this.verifiedTimeListeners.delete(listener);
  }

  /** tuf-js stores timestamp.json only once it verified it (signatures, version, expiry): its signing time is trusted. */
  private async announceSigningTime(): Promise<void> {
    if (this.verifiedTimeListeners.size === 0) return;
    const timestamp = await readJsonIfExists<{ signed?: Record<string, unknown> }>(join(this.metadataDir, 'timestamp.json')).catch(() => undefined);
    const signedAt = timestamp?.signed?.[TIMESTAMP_SIGNED_AT];
    // Repositories made before the field have none: no time from them, nothing else changes.
    if (typeof signedAt !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(signedAt)) return;
    const ms = Date.parse(signedAt);
    if (!Number.isFinite(ms)) return;
    for (const listener of this.verifiedTimeListeners) listener(ms);
  }

  /** tuf-js stores targets.json only once it verified it: this is the signed list. */
  private async verifiedTargets(): Promise<Record<string, { length: number; hashes: { sha256: string }; custom?: Record<string, unknown> }>> {
    return (
      (
        await readJsonIfExists<{
          signed: { targets: Record<string, { length: number; hashes: { sha256: string }; custom?: Record<string, unknown> }> };
        }>(join(this.metadataDir, 'targets.json'))
      )?.signed.targets ?? {}
    );
  }
}
