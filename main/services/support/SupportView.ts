import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SecretRedactor } from '../../../src/secrets/SecretRegistry.js';
import { redactSecretsIn } from '../../../src/secrets/redactSecretsIn.js';
import { redactFields, redactText } from '../../../src/telemetry/anonymize.js';
import type { SupportViewSources } from './ports.js';

/** The view's folders; the image's tmpfiles.d makes the same ones (nativeSupportFiles.test.ts). */
export const VIEW_FOLDERS = ['logs', 'crashes', 'health', 'updates', 'config', 'dev'] as const;

export const VIEW_README = `This is a read-only view of a Headset Control headset, for support.
logs/      the headset's log (JSON lines; rotated files gzip)
crashes/   crash records
health/    health snapshots, one a minute
updates/   update history
config/    settings, with every secret removed
Nothing here can be changed, and nothing outside it can be reached.
`;

/**
 * The folder support sees (the sftp chroot): copies of the logs, crash records, health and update
 * history, and the configuration files listed, each with its secrets cut out (by the secret
 * registry's exact values, and by field name). Copies, not links: the chroot must be root-owned
 * all the way up and nothing in it may lead elsewhere. Refreshed while the session lives; it lives
 * in /run (memory), so nothing is fsynced and a reboot leaves nothing behind.
 */
export class SupportView {
  private readonly copied = new Map<string, string>();

  constructor(
    readonly dir: string,
    private readonly sources: SupportViewSources,
    private readonly secrets: SecretRedactor,
    /**
     * The folder and its sub-folders exist already, made by the image (native/image/tmpfiles.d, README
     * too): the chroot stays root-owned while headsetd, not root, fills it. Only their contents change.
     */
    private readonly options: { prepared?: boolean } = {},
  ) {}

  async create(): Promise<void> {
    if (this.options.prepared) {
      await this.emptySubFolders();
      await this.refresh();
      return;
    }
    await rm(this.dir, { recursive: true, force: true });
    await mkdir(this.dir, { recursive: true, mode: 0o755 });
    await chmod(this.dir, 0o755);
    for (const sub of VIEW_FOLDERS) await mkdir(join(this.dir, sub), { mode: 0o755 });
    await writeFile(join(this.dir, 'README.txt'), VIEW_README, { mode: 0o644 });
    await this.refresh();
  }

  /** Copies what changed since the last refresh (by size and modification time). */
  async refresh(): Promise<void> {
    await this.copyFolder(this.sources.logDir, 'logs');
    await this.copyFolder(this.sources.crashesDir, 'crashes');
    await this.copyFile(this.sources.healthHistory, join('health', basename(this.sources.healthHistory)));
    await this.copyFile(this.sources.updateHistory, join('updates', basename(this.sources.updateHistory)));
    for (const file of this.sources.configFiles) await this.copyConfig(file);
  }

  async remove(): Promise<void> {
    this.copied.clear();
    if (this.options.prepared) await this.emptySubFolders();
    else await rm(this.dir, { recursive: true, force: true });
  }

  private async emptySubFolders(): Promise<void> {
    this.copied.clear();
    for (const sub of VIEW_FOLDERS) {
      const folder = join(this.dir, sub);
      for (const name of await readdir(folder)) await rm(join(folder, name), { recursive: true, force: true });
    }
  }

  private async copyFolder(from: string, to: string): Promise<void> {
    const entries = await readdir(from, { withFileTypes: true }).catch(() => []);
    // Plain files only: a link could lead support out of what is meant to be shown.
    for (const entry of entries) if (entry.isFile()) await this.copyFile(join(from, entry.name), join(to, entry.name));
  }

  private async copyFile(from: string, to: string): Promise<void> {
    const info = await stat(from).catch(() => undefined);
    if (!info?.isFile()) return;
    const stamp = `${info.size}:${info.mtimeMs}`;
    if (this.copied.get(to) === stamp) return;
    const target = join(this.dir, to);
    const temporary = `${target}.part`;
    await copyFile(from, temporary);
    await chmod(temporary, 0o644);
    await rename(temporary, target);
    this.copied.set(to, stamp);
  }

  private async copyConfig(from: string): Promise<void> {
    const info = await stat(from).catch(() => undefined);
    if (!info?.isFile()) return;
    const to = join('config', basename(from));
    const stamp = `${info.size}:${info.mtimeMs}`;
    if (this.copied.get(to) === stamp) return;
    const text = await readFile(from, 'utf8');
    const target = join(this.dir, to);
    await writeFile(`${target}.part`, redactConfig(text, this.secrets), { mode: 0o644 });
    await rename(`${target}.part`, target);
    this.copied.set(to, stamp);
  }
}

/**
 * A configuration file with its secrets removed: JSON field by field (secret-named fields go,
 * registered secrets go wherever they stand), anything else as text.
 */
export function redactConfig(text: string, secrets: SecretRedactor): string {
  try {
    const json: unknown = JSON.parse(text);
    const byName = json !== null && typeof json === 'object' && !Array.isArray(json) ? redactFields(json as Record<string, unknown>) : json;
    return `${JSON.stringify(redactSecretsIn(byName, secrets), null, 2)}\n`;
  } catch {
    return secrets.redact(redactText(text));
  }
}
