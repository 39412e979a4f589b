import semver from 'semver';

/**
 * Versions are strict SemVer 2.0.0 in their one canonical spelling ("1.2.3", "1.2.3-rc.1"; no "v"
 * prefix, no "=" or leading zeros): what is compared on the device is exactly what was signed. No
 * build metadata ("+b5"): SemVer ignores it when comparing, so two different bundles would tie.
 */
export function isCanonicalVersion(text: string): boolean {
  return text.length <= 256 && semver.valid(text) === text;
}

/** A node-semver range ("^1.2.0", ">=2.0.0 <3.0.0", "1.x || 2.x"), written as given, whitespace collapsed. */
export function normalizeRange(text: string): string | undefined {
  const collapsed = text.trim().replace(/\s+/g, ' ');
  if (collapsed === '' || collapsed.length > 256 || semver.validRange(collapsed) === null) return undefined;
  return collapsed;
}

export function compareVersions(a: string, b: string): number {
  return semver.compare(a, b);
}

export function satisfiesRange(version: string, range: string): boolean {
  return semver.satisfies(version, range);
}
