/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
// Read through the bundler, not node:fs: src/ stays free of Node imports, tests included.
import privacyDoc from '../../docs/privacy.md?raw';
import { CATEGORY_INFO, TELEMETRY_CATEGORIES } from './categories.js';
import { PRIVACY_POLICY_VERSION } from './consent.js';
import { checkRecording, isExpired, METRIC_NAMES, METRICS, metricsOf, UndeclaredMetricError } from './registry.js';

describe('telemetry registry', () => {
  it('refuses what is not declared, and values or attributes outside the schema', () => {
    expect(() => checkRecording('user.email', 'x')).toThrow(UndeclaredMetricError);
    expect(() => checkRecording('system.cpu_load', 140)).toThrow(/value outside/);
    expect(() => checkRecording('system.cpu_load', 40, { host: 'jane-pc' })).toThrow(/attributes outside/);
    expect(() => checkRecording('ui.screen_view', null, { screen: 'Jane typed this' })).toThrow(UndeclaredMetricError);
    expect(() => checkRecording('location.coarse', null, { geohash: 'u09tunq' })).toThrow(UndeclaredMetricError);
    expect(checkRecording('gps.time_to_lock', 28.4, {}).value).toBe(28.4);
  });

  it('types recordings at compile time', () => {
    const typed = <N extends keyof typeof METRICS>(name: N) => name;
    // @ts-expect-error an undeclared metric does not compile
    typed('user.email');
    expect(typed('gps.time_to_lock')).toBe('gps.time_to_lock');
  });

  it('declares owner, retention and expiry for every metric, and only in known categories', () => {
    for (const name of METRIC_NAMES) {
      const m = METRICS[name];
      expect(TELEMETRY_CATEGORIES).toContain(m.category);
      expect(m.owner).toMatch(/@/);
      expect(m.retentionDays).toBeGreaterThan(0);
      expect(m.description.length).toBeGreaterThan(10);
    }
    for (const category of TELEMETRY_CATEGORIES) expect(metricsOf(category).length, category).toBeGreaterThan(0);
  });

  it('essential holds only the installed version, update outcomes and rollbacks', () => {
    expect(metricsOf('essential').sort()).toEqual(['system.installed_version', 'update.outcome', 'update.rollbacks']);
    expect(TELEMETRY_CATEGORIES.filter((c) => CATEGORY_INFO[c].essential)).toEqual(['essential']);
  });

  it('expires metrics by version or date', () => {
    const day = new Date('2027-01-01T00:00:00Z');
    expect(isExpired(METRICS['ui.screen_view'], '1.9.9', day)).toBe(false);
    expect(isExpired(METRICS['ui.screen_view'], '2.0.0', day)).toBe(true);
    expect(isExpired(METRICS['location.coarse'], '1.0.0', new Date('2027-07-01T00:00:00Z'))).toBe(true);
    expect(isExpired(METRICS['update.outcome'], '99.0.0', new Date('2099-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('docs/privacy.md', () => {
  const rows = [...privacyDoc.matchAll(/^\| `([a-z0-9_.]+)` \| (.+?) \| (\d+) days \| (.+?) \|$/gm)];

  it('lists every registry entry, with its retention and expiry, and nothing else', () => {
    expect(rows.map((r) => r[1]).sort()).toEqual([...METRIC_NAMES].sort());
    for (const [, name, , days, expires] of rows) {
      const m = METRICS[name as keyof typeof METRICS];
      expect(Number(days), name).toBe(m.retentionDays);
      const expected = m.expires === 'never' ? 'never' : 'date' in m.expires ? m.expires.date : `version ${m.expires.version}`;
      expect(expires, name).toBe(expected);
    }
  });

  it('lists each metric under its category heading', () => {
    for (const category of TELEMETRY_CATEGORIES) {
      const heading = new RegExp(`^### ${CATEGORY_INFO[category].title} \\(`, 'm').exec(privacyDoc);
      expect(heading, category).not.toBeNull();
      const section = privacyDoc.slice(heading!.index).split(/^#{2,3} /m)[1]!;
      for (const name of metricsOf(category)) expect(section, `${name} under ${category}`).toContain(`| \`${name}\` |`);
    }
  });

  it('states the policy version the code runs', () => {
    expect(privacyDoc).toMatch(new RegExp(`^Policy version: ${PRIVACY_POLICY_VERSION}$`, 'm'));
  });
});
