import { AlertIcon } from './AlertIcon.js';
import { focusFirstAlert } from './AlertBanner.js';
import { useAlertsStore } from './alertsStore.js';

/**
 * The side menu's word on the alerts: the most severe one's name and how many more, in its colour
 * and shape. Enter leads to the alerts themselves, on top of the screen.
 */
export function AlertsBadge() {
  const alerts = useAlertsStore((s) => s.alerts);
  const top = alerts[0];
  if (!top) return null;
  const more = alerts.length - 1;
  return (
    <button
      type="button"
      className={`rail-item rail-alerts ${top.severity}`}
      data-testid="alerts-badge"
      data-severity={top.severity}
      onClick={focusFirstAlert}
    >
      <AlertIcon severity={top.severity} />
      <span className="rail-alerts-text">
        <span className="sr-only">Alerts: </span>
        <span className="rail-alerts-name">{top.short}</span>
        {more > 0 && <span className="rail-alerts-more">and {more} more</span>}
      </span>
    </button>
  );
}
