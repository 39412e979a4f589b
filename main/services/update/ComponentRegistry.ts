import { readFile } from 'node:fs/promises';
import { NAME_PATTERN } from '../../../src/update/manifest.js';
import { isCanonicalVersion } from '../../../src/update/version.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { readFileIfExists } from '../storage/atomicFile.js';

/** A component version read live from the hardware (sysfs, device tree), e.g. the bootloader's. */
export interface LiveComponentSource {
  name: string;
  path: string;
}

export interface ComponentRegistryOptions {
  /** JSON files `{ "NAME": "VERSION" }`, later ones winning: the image's list, the factory's list. */
  files: readonly string[];
  /** Versions the hardware reports itself; they win over the files (what is flashed, not what was shipped). */
  live?: readonly LiveComponentSource[];
  /** The installed system's version, listed as component `system`. */
  systemVersion: () => Promise<string | undefined>;
  log?: SubsystemLogger;
}

/** Where a device profile finds its component versions. */
export type ComponentSources = Pick<ComponentRegistryOptions, 'files' | 'live'>;

/** The name the installed system has among the components (a bundle may require `system >=1.2.0`). */
export const SYSTEM_COMPONENT = 'system';

/**
 * The versions of the headset's components (bootloader, MCU and display firmware, the installed
 * system): what a bundle's `requires` are checked against. Read at every question, since firmware
 * can be flashed while headsetd runs. A malformed entry is left out and logged (once per file content): it is then "missing",
 * so a bundle that depends on it is refused rather than installed on a guess.
 */
export class ComponentRegistry {
  /** Each file's content when its problems were last logged: the UI polls, the log hears once per content. */
  private readonly reported = new Map<string, string>();

  constructor(private readonly options: ComponentRegistryOptions) {}

  async versions(): Promise<Record<string, string>> {
    const versions: Record<string, string> = {};
    for (const path of this.options.files) Object.assign(versions, await this.readFile(path));
    for (const source of this.options.live ?? []) {
      const text = await readFile(source.path, 'utf8').catch(() => undefined);
      const version = text === undefined ? undefined : liveVersion(text);
      if (version !== undefined && NAME_PATTERN.test(source.name)) versions[source.name] = version;
    }
    const system = await this.options.systemVersion();
    if (system !== undefined) versions[SYSTEM_COMPONENT] = system;
    return Object.fromEntries(Object.entries(versions).sort(([a], [b]) => a.localeCompare(b)));
  }

  private async readFile(path: string): Promise<Record<string, string>> {
    const bytes = await readFileIfExists(path);
    if (bytes === undefined) {
      this.reported.delete(path);
      return {};
    }
    const text = bytes.toString('utf8');
    const { versions, problems } = parseComponentsFile(path, text);
    if (problems.length === 0) this.reported.delete(path);
    else if (this.reported.get(path) !== text) {
      this.reported.set(path, text);
      for (const problem of problems) this.options.log?.warn(problem);
    }
    return versions;
  }
}

/** The valid entries of a components file, and a line for each thing left out. */
function parseComponentsFile(path: string, text: string): { versions: Record<string, string>; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { versions: {}, problems: [`components: ${path} is not JSON; ignored`] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { versions: {}, problems: [`components: ${path} is not an object of versions; ignored`] };
  const versions: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, version] of Object.entries(parsed)) {
    if (NAME_PATTERN.test(name) && name !== SYSTEM_COMPONENT && typeof version === 'string' && isCanonicalVersion(version)) versions[name] = version;
    else problems.push(`components: ${path}: entry ${JSON.stringify(name)} is not a component name with a semantic version; ignored`);
  }
  return { versions, problems };
}

/**
 * A version as firmware prints it ("U-Boot 2023.01-00012-gabc", "v3.2\n\0") made comparable: the first
 * dotted number, padded to MAJOR.MINOR.PATCH without leading zeros (2023.01 -> 2023.1.0).
 */
export function liveVersion(text: string): string | undefined {
  const match = /(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?/.exec(text);
  if (!match) return undefined;
  // Number() drops leading zeros, which semver refuses ("2023.01").
  return [match[1], match[2], match[3]].map((part) => Number(part ?? 0)).join('.');
}
