import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/api/contract.js';
import { alertKey, criticalToFocus } from './alertsStore.js';

const alert = (id: Alert['id'], severity: Alert['severity'], since: string): Alert => ({
  id,
  severity,
  short: id,
  title: id,
  message: '',
  action: null,
  dismissible: severity === 'info',
  since,
});

describe('which critical alert takes the focus', () => {
  const hot = alert('temperature-critical', 'critical', '2026-01-01T12:00:00.000Z');
  const battery = alert('battery-critical', 'critical', '2026-01-01T12:00:05.000Z');
  const update = alert('update-available', 'info', '2026-01-01T12:00:09.000Z');

  it('the first critical raise not focused yet; never a warning or an info', () => {
    expect(criticalToFocus([hot, battery, update], new Set())).toBe(hot);
    expect(criticalToFocus([hot, battery, update], new Set([alertKey(hot)]))).toBe(battery);
    expect(criticalToFocus([hot, battery, update], new Set([alertKey(hot), alertKey(battery)]))).toBeUndefined();
    expect(criticalToFocus([update], new Set())).toBeUndefined();
  });

  it('the same alert raised again after it cleared takes the focus again', () => {
    const again = { ...hot, since: '2026-01-01T12:30:00.000Z' };
    expect(criticalToFocus([again], new Set([alertKey(hot)]))).toBe(again);
  });
});
