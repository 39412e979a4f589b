import type { MetricName } from './registry.js';

/**
 * Each registry metric in a few plain words, for the Privacy screen and the setup step ("Sends:
 * processor load, …"). Kept apart from the registry so the renderer reads them without bundling the
 * schemas; the type makes a metric without a label a compile error. The metric names themselves stay
 * in the policy's table (docs/privacy.md).
 */
export const METRIC_LABELS: Record<MetricName, string> = {
  'system.installed_version': 'installed system version',
  'update.outcome': 'how each update ended',
  'update.rollbacks': 'rollbacks to the previous system',
  'system.cpu_load': 'processor load',
  'system.memory_used': 'memory in use',
  'system.disk_used': 'storage in use',
  'hardware.temperature': 'board temperature',
  'hardware.battery_charge': 'battery charge',
  'gps.time_to_lock': 'time the GPS takes to find its position',
  'ui.screen_view': 'screens opened',
  'ui.feature_use': 'features used',
  'errors.count': 'number of warnings and errors',
  'errors.crash_count': 'number of crashes',
  'log.record': 'warning and error messages',
  'crash.record': 'crash reports',
  'crash.minidump': 'crash dumps of the user interface',
  'location.coarse': 'position rounded to about 5 km',
};

/** The plain label of a metric name as the API lists it; an unknown name is shown as is. */
export function metricLabel(name: string): string {
  return Object.hasOwn(METRIC_LABELS, name) ? METRIC_LABELS[name as MetricName] : name;
}
