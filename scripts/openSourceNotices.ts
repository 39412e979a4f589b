import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The open-source notices of everything the product ships: every package of the production
 * dependency tree as package-lock.json records it (dev-only packages and type declarations are not shipped),
 * plus the runtimes the packaged app carries (Electron, whose own Chromium notices come with it as
 * LICENSES.chromium.html). Made at build time from the installed tree; the renderer bundles them
 * (renderer/vite.config.ts) for the About screen.
 */

export interface OpenSourceNotice {
  name: string;
  version: string;
  /** The SPDX expression the package declares ("MIT", "(MIT OR Apache-2.0)"); "UNKNOWN" when it declares none. */
  license: string;
  /** Its license and notice files, as shipped in the package; null when it has none. */
  text: string | null;
}

/** What the packaged app carries besides its dependencies. */
export const SHIPPED_RUNTIMES = ['electron'] as const;

interface LockEntry {
  name?: string;
  version?: string;
  license?: string;
  dev?: boolean;
  devOptional?: boolean;
  link?: boolean;
}

const NOTICE_FILE = /^(licen[cs]e|copying|notice|third[-_]party[-_]notices)([-_.].*)?$/i;

/** The notices for the tree installed at `root`, sorted by name, one per name and version. */
export function openSourceNotices(root: string, runtimes: readonly string[] = SHIPPED_RUNTIMES): OpenSourceNotice[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages?: Record<string, LockEntry> };
  const packages = lock.packages ?? {};
  const notices = new Map<string, OpenSourceNotice>();
  for (const [path, entry] of Object.entries(packages)) {
    if (!path.startsWith('node_modules/') && !path.includes('/node_modules/')) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    // Type declarations (@types/*) hold no code that runs: nothing of them ships.
    const shipped = !entry.dev && !entry.devOptional && !entry.link && !name.startsWith('@types/');
    if (!shipped && !runtimes.includes(name)) continue;
    const dir = join(root, path);
    // An optional package for another platform is recorded but not installed: not shipped either.
    if (!existsSync(join(dir, 'package.json'))) continue;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string; license?: unknown; licenses?: unknown };
    const version = manifest.version ?? entry.version ?? '0.0.0';
    const key = `${name}@${version}`;
    if (notices.has(key)) continue;
    notices.set(key, { name, version, license: declaredLicense(entry.license, manifest), text: noticeText(dir) });
  }
  return [...notices.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

function declaredLicense(fromLock: string | undefined, manifest: { license?: unknown; licenses?: unknown }): string {
  if (fromLock) return fromLock;
  if (typeof manifest.license === 'string') return manifest.license;
  if (manifest.license && typeof manifest.license === 'object' && 'type' in manifest.license) return String(manifest.license.type);
  // The old form: a list of { type, url }.
  if (Array.isArray(manifest.licenses)) {
    const types = manifest.licenses.map((l: unknown) => (l && typeof l === 'object' && 'type' in l ? String(l.type) : '')).filter(Boolean);
    if (types.length) return types.length === 1 ? types[0]! : `(${types.join(' OR ')})`;
  }
  return 'UNKNOWN';
}

/** The package's license and notice files at its top, in name order, joined. */
function noticeText(dir: string): string | null {
  const files = readdirSync(dir)
    .filter((file) => NOTICE_FILE.test(file) && statSync(join(dir, file)).isFile())
    .sort();
  if (files.length === 0) return null;
  return files.map((file) => readFileSync(join(dir, file), 'utf8').trim()).join('\n\n');
}
