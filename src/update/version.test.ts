import { describe, expect, it } from 'vitest';
import { compareVersions, isCanonicalVersion, normalizeRange, satisfiesRange } from './version.js';

describe('versions and ranges', () => {
  it('accepts only canonical SemVer spellings, without build metadata', () => {
    for (const ok of ['0.0.0', '1.4.0', '10.20.30', '2.0.0-rc.1', '1.0.0-alpha.beta.5']) expect(isCanonicalVersion(ok), ok).toBe(true);
    for (const bad of ['v1.0.0', '=1.0.0', '1.0', '01.0.0', '1.0.0 ', ' 1.0.0', 'latest', '1.0.0+build.5', '', `1.0.0-${'a'.repeat(300)}`])
      expect(isCanonicalVersion(bad), bad).toBe(false);
  });

  it('orders versions as SemVer does (pre-releases before their release)', () => {
    const sorted = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.10.0', '2.0.0'];
    expect([...sorted].reverse().sort(compareVersions)).toEqual(sorted);
  });

  it('normalizes and checks ranges', () => {
    expect(normalizeRange('  >=1.0.0   <2.0.0 ')).toBe('>=1.0.0 <2.0.0');
    expect(normalizeRange('')).toBeUndefined();
    expect(normalizeRange('soon')).toBeUndefined();
    expect(satisfiesRange('2.1.0', '>=2.0.0')).toBe(true);
    expect(satisfiesRange('1.9.9', '>=2.0.0')).toBe(false);
    expect(satisfiesRange('1.5.0', '^1.4.0')).toBe(true);
  });
});
