import { describe, expect, it } from 'vitest';
import { METRIC_LABELS, metricLabel } from './metricLabels.js';
import { METRIC_NAMES } from './registry.js';

describe('metric labels', () => {
  it('label every registry metric, and nothing else, in plain words', () => {
    expect(Object.keys(METRIC_LABELS).sort()).toEqual([...METRIC_NAMES].sort());
    for (const [name, label] of Object.entries(METRIC_LABELS)) {
      // Plain words joined by commas on screen: no dots, underscores or commas of their own.
      expect(label, name).toMatch(/^[a-z][a-z0-9 ]+$/i);
      expect(label, name).not.toContain(name);
    }
    expect(new Set(Object.values(METRIC_LABELS)).size).toBe(METRIC_NAMES.length);
  });

  it('shows an unknown name as is', () => {
    expect(metricLabel('system.cpu_load')).toBe('processor load');
    expect(metricLabel('future.metric')).toBe('future.metric');
  });
});
